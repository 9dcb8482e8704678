// Tiles with overlap: each tile is run with a margin of real context around it and only its centre
// is kept, so the result equals whole-image inference while memory stays bounded by the tile size.

export interface Tile {
  /** The region read (with margin), clipped to the image. */
  y0: number;
  x0: number;
  h: number;
  w: number;
  /** The part of the region written back (its centre), in image coordinates. */
  keepY0: number;
  keepX0: number;
  keepH: number;
  keepW: number;
}

/** Tiles covering an h×w image with cores of `size` and `margin` pixels of context. */
export function tiles(h: number, w: number, size: number, margin: number): Tile[] {
  const out: Tile[] = [];
  for (let ty = 0; ty < h; ty += size)
    for (let tx = 0; tx < w; tx += size) {
      const keepH = Math.min(size, h - ty);
      const keepW = Math.min(size, w - tx);
      const y0 = Math.max(0, ty - margin);
      const x0 = Math.max(0, tx - margin);
      const y1 = Math.min(h, ty + keepH + margin);
      const x1 = Math.min(w, tx + keepW + margin);
      out.push({ y0, x0, h: y1 - y0, w: x1 - x0, keepY0: ty, keepX0: tx, keepH, keepW });
    }
  return out;
}

/** Copies a tile's region out of an image. */
export function cut(image: Float32Array, w: number, t: Tile): Float32Array {
  const out = new Float32Array(t.h * t.w);
  for (let y = 0; y < t.h; y++) out.set(image.subarray((t.y0 + y) * w + t.x0, (t.y0 + y) * w + t.x0 + t.w), y * t.w);
  return out;
}

/** Writes the centre of a tile's result back into the image. */
export function paste(target: Float32Array, w: number, t: Tile, result: Float32Array): void {
  const dy = t.keepY0 - t.y0;
  const dx = t.keepX0 - t.x0;
  for (let y = 0; y < t.keepH; y++) {
    const from = (dy + y) * t.w + dx;
    target.set(result.subarray(from, from + t.keepW), (t.keepY0 + y) * w + t.keepX0);
  }
}
