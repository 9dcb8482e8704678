// "Measure objects" under a segmentation: its objects per class (GET /files/{id}/measure) with the
// input's intensity under each, a summary per class, and the table as CSV.
import type { MeasurementsBody } from "../../src-main/contract/api.js";
import { api } from "../api.js";
import { h, mount } from "../elements.js";

/** Rows shown at most; the CSV has them all. */
const MAX_ROWS = 500;

const fixed = (v: number | undefined, digits = 1) => (v === undefined ? "" : Number.isInteger(v) ? String(v) : v.toFixed(digits));

function table(caption: string, head: string[], rows: (string | number)[][]): HTMLElement {
  return h(
    "table.measurements",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, ...r.map((v) => h("td", {}, String(v)))))),
  );
}

function render(m: MeasurementsBody, csvUrl: string): HTMLElement[] {
  const total = m.objects.length;
  // Areas in unit² beside pixels, when the pixel size is known.
  const p = m.pixel_size;
  const physical = (area: number) => (p ? [Number((area * p.x * p.y).toPrecision(4)).toLocaleString("en")] : []);
  const areaHead = p ? [`Area (${p.unit}²)`] : [];
  const intensity = m.objects.some((o) => o.mean_intensity !== undefined);
  const summary = table(
    `${total} object${total === 1 ? "" : "s"} in ${m.classes.length} class${m.classes.length === 1 ? "" : "es"} (8-connected)`,
    ["Class", "Objects", "Area (px)", ...areaHead, "Fraction"],
    m.classes.map((c) => [c.class, c.count, c.area, ...physical(c.area), `${(c.fraction * 100).toFixed(2)} %`]),
  );
  const objects = table(
    total > MAX_ROWS ? `Objects (the first ${MAX_ROWS} of ${total}; the CSV has all)` : "Objects",
    ["Class", "Object", "Area (px)", ...areaHead, "Centroid (row, col)", "Box (rows, cols)", ...(intensity ? ["Mean intensity", "Min", "Max"] : [])],
    m.objects.slice(0, MAX_ROWS).map((o) => [o.class, o.object, o.area, ...physical(o.area), `${fixed(o.centroid[0])}, ${fixed(o.centroid[1])}`, `${o.bbox[0]}–${o.bbox[2]}, ${o.bbox[1]}–${o.bbox[3]}`, ...(intensity ? [fixed(o.mean_intensity, 2), fixed(o.min_intensity, 2), fixed(o.max_intensity, 2)] : [])]),
  );
  return [summary, h("a", { href: csvUrl, download: "" }, "Download the objects as CSV"), objects];
}

/** A "Measure objects" section for the labels `key` of dataset `maskId`, measuring `imageId` under them. */
export function measurementsView(maskId: string, key: string, imageId?: string): HTMLElement {
  const query = { key, ...(imageId ? { intensity_id: imageId } : {}) };
  const out = h("div.measurements-out", { "aria-live": "polite" });
  const button = h("button.secondary", { type: "button" }, "Measure objects") as HTMLButtonElement;
  button.onclick = async () => {
    button.disabled = true;
    mount(out, h("p.muted", {}, "measuring…"));
    try {
      mount(out, ...render(await api.measure(maskId, query), api.measureCsvUrl(maskId, query)));
    } catch (err) {
      mount(out, h("p.field-error", {}, `could not measure: ${(err as Error).message}`));
    } finally {
      button.disabled = false;
    }
  };
  return h("section.measurements-view", { "aria-label": "Measurements" }, button, out);
}
