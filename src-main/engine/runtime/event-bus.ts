// Numbers engine events and fans them out; keeps the recent ones so an SSE client that reconnects
// with Last-Event-ID misses nothing. An event's id is its time (ms since the epoch × 1000, plus a
// count within the millisecond): ids rise on every node and across restarts, so an id from any
// node says from when a reconnecting client needs the ends of jobs (eventTime).
import type { EngineEvent, NewEngineEvent } from "../../contract/records.js";

const PER_MS = 1000;

/** The time (ms since the epoch) of an event id. */
export function eventTime(id: number): number {
  return Math.floor(id / PER_MS);
}

export type EventListener = (event: EngineEvent) => void;

export class EventBus {
  private lastId = 0;
  private readonly recent: EngineEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly keep = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  emit(event: NewEngineEvent): EngineEvent {
    this.lastId = Math.max(this.lastId + 1, this.now() * PER_MS);
    const numbered = { ...event, id: this.lastId } as EngineEvent;
    this.recent.push(numbered);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    for (const l of this.listeners) {
      try {
        l(numbered);
      } catch {
        // A failing listener (a closed SSE stream) must not stop the others.
      }
    }
    return numbered;
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many subscribers there are now. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Events after `id` still kept in memory. */
  since(id: number): EngineEvent[] {
    return this.recent.filter((e) => e.id > id);
  }
}
