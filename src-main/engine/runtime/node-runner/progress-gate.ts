// Progress reported in a tight loop would flood the channel to the engine (and hold up a stop
// behind it): a gate lets through rises only, at most one per interval, and always the end.

/** Decides which progress values a runner sends on. */
export class ProgressGate {
  private last = -1;
  private lastAt = -Infinity;

  constructor(
    private readonly intervalMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** True when `value` should be sent now. */
  pass(value: number): boolean {
    if (value <= this.last) return false;
    const t = this.now();
    if (value < 1 && t - this.lastAt < this.intervalMs) return false;
    this.last = value;
    this.lastAt = t;
    return true;
  }
}
