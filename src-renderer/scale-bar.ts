// The viewer's scale bar: a round physical length (1, 2 or 5 × 10ⁿ, in the unit that needs no long
// number) drawn about 100 screen pixels long over the image's lower left corner, redrawn on zoom.
import type { PixelSize } from "../src-main/contract/ndarray.js";
import { h } from "./elements.js";
import { formatLength, scaleBar } from "./viewer-math.js";

/** The bar for pixels of `pixelSize`, and `update(scale)` to call when the zoom changes. */
export function scaleBarView(pixelSize: PixelSize): { element: HTMLElement; update(scale: number): void } {
  const line = h("div.viewer-scale-line");
  const text = h("span.viewer-scale-text");
  return {
    element: h("div.viewer-scale", { role: "note", "aria-label": "Scale bar" }, line, text),
    update(scale) {
      const bar = scaleBar(pixelSize.x, scale);
      line.style.width = `${Math.round(bar.px)}px`;
      text.textContent = formatLength(bar.length, pixelSize.unit);
    },
  };
}
