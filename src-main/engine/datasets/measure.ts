// Objects of a segmentation, measured: the connected components of each class (8-connected, as
// scikit-image's `label` with its default full connectivity), with area, centroid and bounding box,
// and the intensity of an image under each. Pure: planes in, tables out.
import type { PixelSize } from "../../contract/ndarray.js";

/** One connected object of one class. */
export interface MeasuredObject {
  /** The label value the object has (its class). */
  class: number;
  /** 1, 2, … within its class, in the order their first pixels come (row by row). */
  object: number;
  /** Pixels. */
  area: number;
  /** Mean row and column of its pixels. */
  centroid: [number, number];
  /** [min_row, min_col, max_row, max_col], the max exclusive (as scikit-image's regionprops). */
  bbox: [number, number, number, number];
  /** Of the intensity image under the object, when one was given. */
  mean_intensity?: number;
  min_intensity?: number;
  max_intensity?: number;
}

/** One class over the whole plane. */
export interface ClassSummary {
  class: number;
  count: number;
  area: number;
  /** Its area over the plane's. */
  fraction: number;
}

export interface Measurements {
  objects: MeasuredObject[];
  classes: ClassSummary[];
  /** When known, the CSV adds each object's area in unit². */
  pixel_size?: PixelSize | null;
}

/**
 * Measures the objects of `labels` (h×w, row-major; 0 and NaN are background), with `intensity`
 * (same size) under them when given.
 */
export function measureObjects(labels: ArrayLike<number>, h: number, w: number, intensity?: ArrayLike<number>): Measurements {
  const n = h * w;
  if (labels.length !== n) throw new Error(`labels have ${labels.length} values, not ${h}×${w}`);
  if (intensity && intensity.length !== n) throw new Error(`the intensity image has ${intensity.length} values, not ${h}×${w} as the labels`);
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const objects: MeasuredObject[] = [];
  const perClass = new Map<number, { count: number; area: number }>();
  for (let start = 0; start < n; start++) {
    const cls = labels[start] as number;
    if (seen[start] || cls === 0 || Number.isNaN(cls)) continue;
    // Flood fill of this object: its pixels are the 8-neighbours of the same value, transitively.
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let area = 0;
    let sumR = 0;
    let sumC = 0;
    let minR = h;
    let minC = w;
    let maxR = -1;
    let maxC = -1;
    let sumI = 0;
    let minI = Infinity;
    let maxI = -Infinity;
    while (top > 0) {
      const p = stack[--top] as number;
      const r = Math.floor(p / w);
      const c = p - r * w;
      area++;
      sumR += r;
      sumC += c;
      if (r < minR) minR = r;
      if (r > maxR) maxR = r;
      if (c < minC) minC = c;
      if (c > maxC) maxC = c;
      if (intensity) {
        const v = intensity[p] as number;
        sumI += v;
        if (v < minI) minI = v;
        if (v > maxI) maxI = v;
      }
      for (let dr = -1; dr <= 1; dr++) {
        const rr = r + dr;
        if (rr < 0 || rr >= h) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const cc = c + dc;
          if (cc < 0 || cc >= w) continue;
          const q = rr * w + cc;
          if (!seen[q] && labels[q] === cls) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    const summary = perClass.get(cls) ?? { count: 0, area: 0 };
    summary.count++;
    summary.area += area;
    perClass.set(cls, summary);
    objects.push({
      class: cls,
      object: summary.count,
      area,
      centroid: [sumR / area, sumC / area],
      bbox: [minR, minC, maxR + 1, maxC + 1],
      ...(intensity ? { mean_intensity: sumI / area, min_intensity: minI, max_intensity: maxI } : {}),
    });
  }
  const classes = [...perClass.entries()].sort(([a], [b]) => a - b).map(([cls, s]) => ({ class: cls, count: s.count, area: s.area, fraction: s.area / n }));
  return { objects, classes };
}

const CSV_COLUMNS = ["class", "object", "area", "centroid_row", "centroid_col", "min_row", "min_col", "max_row", "max_col", "mean_intensity", "min_intensity", "max_intensity"] as const;

/** The objects as CSV, one per line, with a header (intensity columns empty when none was measured). */
export function measurementsCsv(m: Measurements): string {
  const p = m.pixel_size;
  const rows = m.objects.map((o) => [o.class, o.object, o.area, o.centroid[0], o.centroid[1], ...o.bbox, o.mean_intensity ?? "", o.min_intensity ?? "", o.max_intensity ?? "", ...(p ? [Number((o.area * p.x * p.y).toPrecision(9))] : [])].join(","));
  const head = [...CSV_COLUMNS, ...(p ? [`area_${p.unit}2`] : [])];
  return [head.join(","), ...rows].join("\n") + "\n";
}
