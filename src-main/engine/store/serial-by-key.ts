// Runs asynchronous operations one after another per key, in the order they were asked for: a
// job's record writes must land in order, and on PostgreSQL two statements sent without waiting
// may commit in either order (they can go out on different pooled connections).

export class SerialByKey {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `op` after every earlier operation of `key` has settled; resolves or rejects as it does. */
  run<T>(key: string, op: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    // Nothing pending: start now (SQLite then writes before this returns, with no extra hop).
    const done = before ? before.then(op) : start(op);
    const settled = done.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => {
      if (this.tails.get(key) === settled) this.tails.delete(key);
    });
    return done;
  }

  /** Resolves once every operation of `key` asked for so far has settled. */
  async settled(key: string): Promise<void> {
    await this.tails.get(key);
  }
}

/** Calls `op` now; a synchronous throw becomes a rejection. */
function start<T>(op: () => Promise<T>): Promise<T> {
  try {
    return op();
  } catch (err) {
    return Promise.reject(err);
  }
}
