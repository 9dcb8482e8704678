// Server-Sent Events: every status, progress, log and deploy event, filterable by id, resumable
// with Last-Event-ID; the stream ends when the client goes away, or falls too far behind.
import { streamSSE } from "hono/streaming";
import { isTerminal, type EngineEvent } from "../../contract/records.js";
import type { Engine } from "../../engine/index.js";
import type { Router } from "../router.js";

/** One SSE message (JSON has no raw newlines, so `data` is one line). */
function sseMessage(e: EngineEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Events a subscriber may fall behind by before it is dropped: it reconnects with Last-Event-ID
 * and resumes from the engine's recent events (5,000 kept), so a client that does not read costs
 * the server this much at most instead of everything that happens while it sleeps. */
export const MAX_QUEUED_EVENTS = 1000;

/**
 * The end of the one job a stream follows, when its record has ended: a client that connects (or
 * reconnects, to a restarted node or another one) after the job ended still hears how.
 */
async function endedStatus(engine: Pick<Engine, "getExecution" | "getTraining" | "eventsSince">, q: { execution_id?: string; training_id?: string }): Promise<EngineEvent | undefined> {
  try {
    const rec = q.execution_id ? await engine.getExecution(q.execution_id) : q.training_id ? await engine.getTraining(q.training_id) : undefined;
    if (!rec || !isTerminal(rec.status)) return undefined;
    // Numbered as the newest event this node has: the client has everything up to here.
    const id = engine.eventsSince(0).at(-1)?.id ?? 0;
    return { id, type: "status", ...(q.execution_id ? { execution_id: q.execution_id } : { training_id: q.training_id! }), status: rec.status, progress: 1 } as EngineEvent;
  } catch {
    return undefined; // no such job (yet): live events only
  }
}

export function eventRoutes(r: Router, engine: Pick<Engine, "onEvent" | "eventsSince" | "getExecution" | "getTraining">, keepAliveMs = 15000, draining?: AbortSignal): void {
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
        // Following one job: if it has ended already, say how (unless the replay just did).
        if (q.execution_id || q.training_id) {
          const ended = await endedStatus(engine, q);
          if (ended && !queue.some((e) => e.type === "status" && isTerminal(e.status))) queue.push(ended);
        }
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
