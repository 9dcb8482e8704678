// Server-Sent Events: every status, progress, log and deploy event, filterable by id, resumable
// with Last-Event-ID; the stream ends when the client goes away, or falls too far behind.
import { streamSSE } from "hono/streaming";
import { isTerminal, type EngineEvent, type Status } from "../../contract/records.js";
import { eventTime, type Engine } from "../../engine/index.js";
import type { Router } from "../router.js";

/** The job an event is about. */
const jobOf = (e: EngineEvent) => ("execution_id" in e ? e.execution_id : "training_id" in e ? (e as { training_id: string }).training_id : "");

/** One SSE message (JSON has no raw newlines, so `data` is one line). */
function sseMessage(e: EngineEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Events a subscriber may fall behind by before it is dropped: it reconnects with Last-Event-ID
 * and resumes from the engine's recent events (5,000 kept), so a client that does not read costs
 * the server this much at most instead of everything that happens while it sleeps. */
export const MAX_QUEUED_EVENTS = 1000;

type EventSource = Pick<Engine, "onEvent" | "eventsSince" | "getExecution" | "getTraining" | "endedSince">;

/**
 * How far before a reconnecting client's last event its missed ends are looked for. A node numbers
 * an event when it emits it, which may be after the end it tells of was recorded (relayed from a
 * worker through Redis, later under load): a client that heard a newer event on a node killed
 * before it passed that end on would otherwise never hear it. An end told twice is harmless.
 */
export const END_DELIVERY_MARGIN_MS = 60_000;

/** A job's status event. */
const statusEvent = (id: number, kind: "execution" | "training", job: string, status: Status): EngineEvent => ({ id, type: "status", ...(kind === "execution" ? { execution_id: job } : { training_id: job }), status, progress: 1 }) as EngineEvent;

/**
 * The ends a (re)connecting client missed, read from the records: those of the one job a stream
 * follows, or of every job that ended since its last event. The node it left (restarted, or
 * another one) may have told it nothing of them, and this node's memory may not reach back so far.
 * Numbered as the newest event this node has (or the client's own, if newer): nothing goes back.
 */
async function missedEnds(engine: EventSource, q: { execution_id?: string; training_id?: string }, lastId: number): Promise<EngineEvent[]> {
  const id = Math.max(engine.eventsSince(0).at(-1)?.id ?? 0, Number.isFinite(lastId) ? lastId : 0);
  // Last-Event-ID 0 asks for what the node keeps, not for every end ever recorded.
  if (!q.execution_id && !q.training_id) return lastId > 0 ? (await engine.endedSince(eventTime(lastId) - END_DELIVERY_MARGIN_MS)).map((e) => statusEvent(id, e.kind, e.id, e.status)) : [];
  try {
    const rec = q.execution_id ? await engine.getExecution(q.execution_id) : await engine.getTraining(q.training_id!);
    return isTerminal(rec.status) ? [statusEvent(id, q.execution_id ? "execution" : "training", (q.execution_id ?? q.training_id)!, rec.status)] : [];
  } catch {
    return []; // no such job (yet): live events only
  }
}

export function eventRoutes(r: Router, engine: EventSource, keepAliveMs = 15000, draining?: AbortSignal): void {
  r.route(
    "events",
    (c, { query: q }) => {
      const wanted = (e: EngineEvent) => {
        if (q.execution_id) return "execution_id" in e && e.execution_id === q.execution_id;
        if (q.training_id) return "training_id" in e && (e as { training_id?: string }).training_id === q.training_id;
        return true;
      };
      const lastId = Number(c.req.header("last-event-id") ?? q.last_event_id ?? NaN);
      return streamSSE(c, async (stream) => {
        const queue: EngineEvent[] = Number.isFinite(lastId) ? engine.eventsSince(lastId).filter(wanted) : [];
        let wake: (() => void) | undefined;
        let open = true;
        const close = () => {
          open = false;
          off();
          wake?.();
        };
        const off = engine.onEvent((e) => {
          if (!wanted(e) || !open) return;
          queue.push(e);
          wake?.();
          if (queue.length > MAX_QUEUED_EVENTS) {
            // Too far behind: end the stream (a write stuck on a full socket ends with it).
            close();
            stream.abort();
            (c.env as { outgoing?: { destroy(): void } } | undefined)?.outgoing?.destroy();
          }
        });
        stream.onAbort(close);
        // Ends it may have missed (its job's, or since its last event), unless the replay has them.
        const told = new Set(queue.flatMap((e) => (e.type === "status" && isTerminal(e.status) ? [jobOf(e)] : [])));
        for (const ended of await missedEnds(engine, q, lastId)) if (!told.has(jobOf(ended))) queue.push(ended);
        // The server is shutting down: the client reconnects (to this node once it is back, or another) with Last-Event-ID.
        draining?.addEventListener("abort", close, { once: true });
        if (draining?.aborted) close();
        while (open) {
          // Everything queued since the last write (an execution's STARTED, RUNNING and first log
          // line usually come in one tick) goes out as one socket write.
          while (queue.length > 0 && open) await stream.write(queue.splice(0).map(sseMessage).join(""));
          if (!open) break;
          // Wait for the next event, or send a comment now and then so proxies keep the stream.
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, keepAliveMs).unref();
          });
          wake = undefined;
          if (queue.length === 0 && open) await stream.write(": keep-alive\n\n");
        }
        off();
        draining?.removeEventListener("abort", close);
      });
    },
  );
}
