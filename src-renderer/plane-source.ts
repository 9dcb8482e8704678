// The planes a viewer shows, fetched from the server one at a time (GET /files/{id}/plane), at
// most PLANE_MAX pixels on a side, the last few whole planes of each layer kept.
import { api } from "./api.js";

/** Planes larger than this on a side arrive reduced. */
const PLANE_MAX = 2048;

/**
 * An array to show: `key` in dataset `ids[0]`; or, with several ids, a stack whose slice k is the
 * 2-D `key` of dataset `ids[k]` (how Compox passes a multi-page TIFF: one dataset per page).
 */
export interface Layer {
  ids: string[];
  key: string;
}

/** `key` of one dataset. */
export const layerOf = (id: string, key: string): Layer => ({ ids: [id], key });

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Plane {
  shape: [number, number];
  factor: number;
  /** The part of the full plane these values cover, in its pixels. */
  region: Region;
  data: Float32Array;
}

/** Loads planes (or regions of them) of one layer, keeping the last few whole planes. */
export function planeSource(layer: Layer, sampling: "mean" | "nearest"): (slice: number, region?: Region) => Promise<Plane> {
  const cache = new Map<number, Promise<Plane>>();
  // A stack of datasets: slice k is plane 0 of dataset k.
  const at = (slice: number) => (layer.ids.length > 1 ? { id: layer.ids[slice]!, slice: 0 } : { id: layer.ids[0]!, slice });
  return (slice, region) => {
    const { id, slice: plane } = at(slice);
    if (region) return api.plane(id, { key: layer.key, slice: plane, max_size: PLANE_MAX, sampling, ...region });
    let p = cache.get(slice);
    if (!p) {
      p = api.plane(id, { key: layer.key, slice: plane, max_size: PLANE_MAX, sampling });
      cache.set(slice, p);
      if (cache.size > 8) cache.delete(cache.keys().next().value!);
    }
    return p;
  };
}

/** The full-resolution depth, height and width of a 2-D or 3-D array's shape. */
export function dimsOf(shape: readonly number[]): [number, number, number] {
  return shape.length >= 3 ? [shape[0]!, shape[shape.length - 2]!, shape[shape.length - 1]!] : [1, shape[0] ?? 1, shape[1] ?? 1];
}
