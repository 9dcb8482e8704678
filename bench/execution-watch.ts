// Follows executions and trainings on the event stream, as a client would: resolves when one is
// RUNNING or has ended. Either can arrive before the POST that started it has answered, so every
// one is remembered.
import type { CompoxClient } from "../src-main/contract/client.js";

const ENDS = new Set(["COMPLETED", "FAILED", "STOPPED"]);

export interface ExecutionWatch {
  /** Resolves once the execution has ended (rejects after `timeoutMs`). */
  ended(id: string): Promise<void>;
  /** Resolves once the execution is RUNNING (rejects after `timeoutMs`). */
  running(id: string): Promise<void>;
  close(): void;
}

/** Subscribes to `client`'s events; call close() when done. */
export function watchExecutions(client: CompoxClient, timeoutMs = 30_000): ExecutionWatch {
  const seen = { ended: new Set<string>(), running: new Set<string>() };
  const waiting = { ended: new Map<string, () => void>(), running: new Map<string, () => void>() };
  const close = client.events((e) => {
    if (e.type !== "status") return;
    const id = "execution_id" in e ? e.execution_id : "training_id" in e ? e.training_id : undefined;
    const what = e.status === "RUNNING" ? "running" : ENDS.has(e.status) ? "ended" : undefined;
    if (!what || id === undefined) return;
    seen[what].add(id);
    waiting[what].get(id)?.();
  });
  const when = (what: "ended" | "running", id: string) =>
    new Promise<void>((resolve, reject) => {
      if (seen[what].has(id)) return resolve();
      const t = setTimeout(() => reject(new Error(`execution ${id} was not ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
      waiting[what].set(id, () => (clearTimeout(t), waiting[what].delete(id), resolve()));
    });
  return { ended: (id) => when("ended", id), running: (id) => when("running", id), close };
}
