// Loaded runners, keyed by language + algorithm id + minor version + device. At most `maxLoaded`
// processes live at once; an idle one is reused for the same key (one with the job's load — its
// checkpoint — first, else one that loads it in place), the least recently used idle one is
// unloaded to make room, and any stays idle at most `idleMinutes`.

export interface PooledRunner<H> {
  key: string;
  host: H;
  /** Set once the algorithm is loaded in the process. */
  loaded?: Promise<unknown>;
  /** True once `loaded` has resolved: a job can start without waiting. */
  ready?: boolean;
  /** What `loaded` loaded (a checkpoint id, "" for the shipped assets). */
  variant?: string;
  busy: boolean;
  lastUsed: number;
  idleTimer?: NodeJS.Timeout;
}

export interface PoolOptions<H> {
  create: (key: string) => H;
  dispose: (host: H) => Promise<void>;
  isAlive: (host: H) => boolean;
  maxLoaded: () => number;
  /** 0 = never unload idle runners. */
  idleMinutes: () => number;
}

export class RunnerPool<H> {
  private readonly entries = new Set<PooledRunner<H>>();

  constructor(private readonly opts: PoolOptions<H>) {}

  /** A busy runner for `key` (preferring one that has `variant` loaded), or undefined when every slot is taken by busy runners. */
  tryAcquire(key: string, variant?: string): PooledRunner<H> | undefined {
    this.dropDead();
    const idle = [...this.entries].filter((e) => !e.busy);
    const same = idle.find((e) => e.key === key && e.variant === variant) ?? idle.find((e) => e.key === key);
    if (same) return this.take(same);
    if (this.entries.size >= this.opts.maxLoaded()) {
      const lru = idle.sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!lru) return undefined;
      this.unload(lru);
    }
    const entry: PooledRunner<H> = { key, host: this.opts.create(key), busy: false, lastUsed: Date.now() };
    this.entries.add(entry);
    return this.take(entry);
  }

  /** Returns a runner after a job; a dead one is dropped, a live one waits idle. */
  release(entry: PooledRunner<H>): void {
    entry.busy = false;
    entry.lastUsed = Date.now();
    if (!this.opts.isAlive(entry.host)) {
      this.entries.delete(entry);
      return;
    }
    const minutes = this.opts.idleMinutes();
    if (minutes > 0) {
      entry.idleTimer = setTimeout(() => this.unload(entry), minutes * 60e3);
      entry.idleTimer.unref();
    }
  }

  /** Removes a runner whose process must not be reused (failed to load, killed). */
  discard(entry: PooledRunner<H>): void {
    this.unload(entry);
  }

  /** Every runner, for shutdown and diagnostics. */
  all(): PooledRunner<H>[] {
    return [...this.entries];
  }

  get size(): number {
    return this.entries.size;
  }

  /** Unloads every runner. */
  async closeAll(): Promise<void> {
    const all = [...this.entries];
    this.entries.clear();
    for (const e of all) clearTimeout(e.idleTimer);
    await Promise.all(all.map((e) => this.opts.dispose(e.host)));
  }

  private take(entry: PooledRunner<H>): PooledRunner<H> {
    clearTimeout(entry.idleTimer);
    entry.busy = true;
    entry.lastUsed = Date.now();
    return entry;
  }

  private unload(entry: PooledRunner<H>): void {
    clearTimeout(entry.idleTimer);
    this.entries.delete(entry);
    void this.opts.dispose(entry.host);
  }

  private dropDead(): void {
    for (const e of this.entries) if (!e.busy && !this.opts.isAlive(e.host)) this.unload(e);
  }
}
