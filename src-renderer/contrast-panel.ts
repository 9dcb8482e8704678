// The viewer's contrast: a histogram of the plane shown with the black and white points marked,
// both points as sliders and as numbers (a malformed number stays visibly invalid, never applied),
// gamma, and auto contrast from percentiles. Until the user sets it, each plane is shown at its own
// range (a stack's slices may differ widely); once set, it holds for every plane, as in Fiji.
import { h } from "./elements.js";
import { formatValue, histogram, percentileRange, valueRange } from "./viewer-math.js";

const BINS = 128;

export interface ContrastPanel {
  element: HTMLElement;
  black: number;
  white: number;
  gamma: number;
  /** A new plane is shown: its histogram, and its range unless the user set the contrast. */
  showPlane(values: ArrayLike<number>): void;
  /** Black and white at the 0.5th and 99.5th percentiles of the plane shown. */
  auto(): void;
}

/** A contrast panel for planes like `first`; `onChange` redraws the image. */
export function contrastPanel(first: ArrayLike<number>, onChange: () => void): ContrastPanel {
  let [min, max] = valueRange(first);
  // Whole-number images step by one grey level; others in 1000 steps of their range.
  let whole = true;
  for (let i = 0; i < first.length && whole; i++) whole = Number.isInteger(first[i]!) || Number.isNaN(first[i]!);
  const step = whole ? 1 : (max - min) / 1000 || 1;
  let set = false;
  let values: ArrayLike<number> = first;
  const hist = h("canvas.viewer-histogram", { width: BINS * 2, height: 48, role: "img" }) as HTMLCanvasElement;
  const slider = (label: string, lo: number, hi: number, value: number, stepBy: number) => h("input", { type: "range", min: lo, max: hi, step: stepBy, value, "aria-label": label }) as HTMLInputElement;
  const number = (label: string, value: number, stepBy: number) => h("input.viewer-number", { type: "number", step: stepBy, value, "aria-label": label }) as HTMLInputElement;
  const blackSlider = slider("Black point", min, max, min, step);
  const whiteSlider = slider("White point", min, max, max, step);
  const gammaSlider = slider("Gamma", 0.1, 4, 1, 0.05);
  const blackNumber = number("Black value", min, step);
  const whiteNumber = number("White value", max, step);
  const gammaNumber = number("Gamma value", 1, 0.05);

  const panel: ContrastPanel = {
    element: h(
      "div.viewer-contrast",
      {},
      hist,
      // The number beside its slider, outside the slider's label: each control keeps its own name.
      h("span.viewer-field", {}, h("label.viewer-field", {}, "Black point ", blackSlider), blackNumber),
      h("span.viewer-field", {}, h("label.viewer-field", {}, "White point ", whiteSlider), whiteNumber),
      h("span.viewer-field", {}, h("label.viewer-field", {}, "Gamma ", gammaSlider), gammaNumber),
    ),
    black: min,
    white: max,
    gamma: 1,
    showPlane(plane) {
      values = plane;
      if (!set) {
        [panel.black, panel.white] = valueRange(plane);
        widen(panel.black, panel.white);
        sync();
      }
      drawHistogram();
    },
    auto() {
      set = true;
      [panel.black, panel.white] = percentileRange(values);
      sync();
      drawHistogram();
      onChange();
    },
  };

  /** The sliders reach at least [lo, hi] (a later slice may go beyond the first one's range). */
  function widen(lo: number, hi: number) {
    [min, max] = [Math.min(min, lo), Math.max(max, hi)];
    for (const s of [blackSlider, whiteSlider]) [s.min, s.max] = [String(min), String(max)];
  }
  function sync() {
    blackSlider.value = blackNumber.value = String(panel.black);
    whiteSlider.value = whiteNumber.value = String(panel.white);
    gammaSlider.value = gammaNumber.value = String(panel.gamma);
    for (const n of [blackNumber, whiteNumber, gammaNumber]) n.removeAttribute("aria-invalid");
  }
  function drawHistogram() {
    const counts = histogram(values, BINS, min, max);
    const g = hist.getContext("2d");
    hist.setAttribute("aria-label", `Histogram of the plane shown, values ${formatValue(min)} to ${formatValue(max)}; contrast ${formatValue(panel.black)} … ${formatValue(panel.white)}`);
    if (!g) return;
    const [w, ht] = [hist.width, hist.height];
    g.clearRect(0, 0, w, ht);
    const top = Math.log1p(Math.max(1, ...counts));
    g.fillStyle = "#5a6470";
    counts.forEach((c, i) => {
      const bar = (Math.log1p(c) / top) * ht;
      g.fillRect((i * w) / BINS, ht - bar, w / BINS, bar);
    });
    // Outside [black, white] is shaded; the points are lines.
    const x = (v: number) => (max > min ? ((v - min) / (max - min)) * w : 0);
    g.fillStyle = "rgba(47, 111, 222, 0.15)";
    g.fillRect(0, 0, x(panel.black), ht);
    g.fillRect(x(panel.white), 0, w - x(panel.white), ht);
    g.fillStyle = "#2f6fde";
    g.fillRect(x(panel.black) - 1, 0, 2, ht);
    g.fillRect(x(panel.white) - 1, 0, 2, ht);
  }
  /** Applies black, white or gamma from a control (numbers only when they parse and make sense). */
  const apply = (which: "black" | "white" | "gamma", raw: string, field: HTMLInputElement) => {
    const v = Number(raw);
    const ok = raw.trim() !== "" && Number.isFinite(v) && (which !== "gamma" || v > 0);
    if (!ok) return void field.setAttribute("aria-invalid", "true");
    set = true;
    if (which === "black") panel.black = Math.min(v, panel.white);
    else if (which === "white") panel.white = Math.max(v, panel.black);
    else panel.gamma = v;
    widen(panel.black, panel.white);
    sync();
    drawHistogram();
    onChange();
  };
  blackSlider.oninput = () => apply("black", blackSlider.value, blackSlider);
  whiteSlider.oninput = () => apply("white", whiteSlider.value, whiteSlider);
  gammaSlider.oninput = () => apply("gamma", gammaSlider.value, gammaSlider);
  blackNumber.onchange = () => apply("black", blackNumber.value, blackNumber);
  whiteNumber.onchange = () => apply("white", whiteNumber.value, whiteNumber);
  gammaNumber.onchange = () => apply("gamma", gammaNumber.value, gammaNumber);
  drawHistogram();
  return panel;
}
