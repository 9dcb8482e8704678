// Numbers engine events and fans them out; keeps the recent ones so an SSE client that reconnects
// with Last-Event-ID misses nothing.
import type { EngineEvent, NewEngineEvent } from "../../contract/records.js";

export type EventListener = (event: EngineEvent) => void;

export class EventBus {
  private nextId = 1;
  private readonly recent: EngineEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly keep = 5000) {}

  emit(event: NewEngineEvent): EngineEvent {
    const numbered = { ...event, id: this.nextId++ } as EngineEvent;
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
