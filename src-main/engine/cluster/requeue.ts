// Rebuilds a recorded job's queue entry from its record, so a PENDING job whose entry never reached
// Redis (the API node died first) or was lost with it (Redis restarted without persistence) can be
// queued again. The entry is what submission made: the same runner key, device and load target.
import type { ExecutionsRepo } from "../store/executions-repo.js";
import type { TrainingRepo } from "../store/training-repo.js";
import type { BenchmarksRepo } from "../store/benchmarks-repo.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { JobKind } from "../store/job-workers.js";
import { resolveDevice, type GpuInfo } from "../runtime/devices.js";
import { runnerKey, type QueuedJob } from "../jobs/queued-job.js";

export interface RequeueDeps {
  algorithms: AlgorithmsRepo;
  records: ExecutionsRepo;
  training: TrainingRepo;
  benchmarks: BenchmarksRepo;
  gpus: () => GpuInfo;
}

/** The queue entry of a PENDING job; undefined when it is no longer PENDING, or a string saying why it cannot run. */
export async function queuedJobOf(deps: RequeueDeps, kind: JobKind, id: string): Promise<QueuedJob | string | undefined> {
  const exec = kind === "execution" ? await deps.records.get(id) : undefined;
  const train = kind === "training" ? await deps.training.get(id) : undefined;
  const rec = exec ?? train ?? (kind === "benchmark" ? await deps.benchmarks.get(id) : undefined);
  if (!rec || rec.status !== "PENDING") return undefined;
  const pinned = exec ?? train;
  const minor = pinned && pinned.algorithm_minor_version !== "" ? Number(pinned.algorithm_minor_version) : null;
  const found = await deps.algorithms.runnable(rec.algorithm_id, minor);
  if (!found) return `its algorithm ${rec.algorithm_id}${minor === null ? "" : ` minor ${minor}`} was removed before the job could be queued again`;
  const { line, version, language } = found;
  const device = exec ? exec.resolved_execution_device : resolveDevice(version.config.default_device, deps.gpus()).device;
  const key = runnerKey(language, line.algorithm_id, version.minor, device);
  const base = { id, kind, moduleId: version.module_id, key, device };
  // A session the client named pins the job to its worker; a token made here names no holder.
  if (exec) return { ...base, target: exec, session: exec.session_token ?? undefined, sessionToken: exec.session_token ?? undefined };
  if (train) return { ...base, target: train };
  return { ...base, target: { algorithm_id: line.algorithm_id, algorithm_minor_version: String(version.minor), checkpoint_id: null } };
}
