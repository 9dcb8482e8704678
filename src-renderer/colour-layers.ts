// Colours of classes and regions drawn over images, and the one way they are drawn: a canvas the
// size of the image, each value's pixels in its colour, transparent elsewhere.

/** Distinct colours, in the order classes and regions get them. */
export const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45", "#fabed4", "#469990"];

/** The colour of the i-th class or region (0-based), repeating the palette. */
export function paletteColour(i: number): string {
  return PALETTE[i % PALETTE.length] ?? "#ffffff";
}

/** "#rrggbb" as [r, g, b]. */
export const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];

/** Draws `values` (one per pixel, row-major, 0 = nothing) onto the canvas, value v in colourOf(v). */
export function drawValues(canvas: HTMLCanvasElement, values: ArrayLike<number>, colourOf: (v: number) => string, alpha: number): void {
  const g = canvas.getContext("2d");
  if (!g) return;
  const img = g.createImageData(canvas.width, canvas.height);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (v <= 0) continue;
    const [r, gr, b] = rgbOf(colourOf(v));
    img.data.set([r, gr, b, alpha], i * 4);
  }
  g.putImageData(img, 0, 0);
}
