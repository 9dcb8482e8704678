// Session items that runners keep between executions (Compox's session_token cache): at most
// `maxSessions` sessions of `maxItems` items, each session expiring `expireHours` after creation;
// the oldest session or item is evicted first. Values are stored as structured clones.

export interface SessionLimits {
  maxSessions: number;
  maxItems: number;
  expireHours: number;
}

interface Session {
  created: number;
  items: Map<string, unknown>;
}

export class SessionCache {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: () => SessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  save(token: string, key: string, value: unknown): void {
    this.sweep();
    let s = this.sessions.get(token);
    if (!s) {
      s = { created: this.now(), items: new Map() };
      this.sessions.set(token, s);
      while (this.sessions.size > this.limits().maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
    }
    s.items.delete(key); // re-saving makes the item the newest
    s.items.set(key, structuredClone(value));
    while (s.items.size > this.limits().maxItems) s.items.delete(s.items.keys().next().value as string);
  }

  /** A copy of the item, or undefined when the session or item is gone. */
  load(token: string, key: string): unknown {
    this.sweep();
    const s = this.sessions.get(token);
    return s?.items.has(key) ? structuredClone(s.items.get(key)) : undefined;
  }

  remove(token: string, key: string): void {
    this.sessions.get(token)?.items.delete(key);
  }

  /** Tokens of live sessions, oldest first (for tests and diagnostics). */
  tokens(): string[] {
    this.sweep();
    return [...this.sessions.keys()];
  }

  private sweep(): void {
    const limit = this.limits().expireHours * 3600e3;
    for (const [token, s] of this.sessions) if (this.now() - s.created >= limit) this.sessions.delete(token);
  }
}
