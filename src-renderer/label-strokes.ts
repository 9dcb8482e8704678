// The labels a person paints: one class value per pixel (0 = unlabelled), painted with round
// brushes along strokes, with undo and redo of whole strokes. Pure logic: the canvas draws it.

/** A label image with its stroke history. */
export class LabelBuffer {
  readonly data: Uint8Array;
  private readonly undoStack: Uint8Array[] = [];
  private readonly redoStack: Uint8Array[] = [];
  private strokeStart: Uint8Array | undefined;

  constructor(
    readonly width: number,
    readonly height: number,
    /** Strokes kept for undo (each a copy of the labels). */
    private readonly maxHistory = 30,
  ) {
    this.data = new Uint8Array(width * height);
  }

  /** Starts a stroke (one undo step). */
  begin(): void {
    this.strokeStart ??= this.data.slice();
  }

  /** Ends the stroke; true when it changed anything. */
  end(): boolean {
    const before = this.strokeStart;
    this.strokeStart = undefined;
    if (!before || before.every((v, i) => v === this.data[i])) return false;
    this.undoStack.push(before);
    if (this.undoStack.length > this.maxHistory) this.undoStack.shift();
    this.redoStack.length = 0;
    return true;
  }

  /** Paints `value` (0 erases) in a disc of `radius` pixels along the segment (x0,y0)→(x1,y1). */
  paintLine(x0: number, y0: number, x1: number, y1: number, radius: number, value: number): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / Math.max(0.5, radius / 2)));
    for (let s = 0; s <= steps; s++) this.paintDisc(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, radius, value);
  }

  private paintDisc(cx: number, cy: number, radius: number, value: number): void {
    const r = Math.max(0.5, radius);
    for (let y = Math.max(0, Math.floor(cy - r)); y <= Math.min(this.height - 1, Math.ceil(cy + r)); y++)
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(this.width - 1, Math.ceil(cx + r)); x++)
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) this.data[y * this.width + x] = value;
  }

  canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  undo(): boolean {
    const previous = this.undoStack.pop();
    if (!previous) return false;
    this.redoStack.push(this.data.slice());
    this.data.set(previous);
    return true;
  }

  redo(): boolean {
    const next = this.redoStack.pop();
    if (!next) return false;
    this.undoStack.push(this.data.slice());
    this.data.set(next);
    return true;
  }

  /** Labelled pixels per class value (0 left out). */
  counts(): Map<number, number> {
    const out = new Map<number, number>();
    for (const v of this.data) if (v > 0) out.set(v, (out.get(v) ?? 0) + 1);
    return out;
  }
}
