// Cluster mode's two roles: an API node records jobs and sends them to the workers' queues
// (cluster-queue.ts), and settles jobs whose worker is gone; a worker takes jobs from the queues
// of its devices and its own (pinned sessions) and hands them to this process's runners (a
// JobProcessor). Events cross nodes through Redis, so an SSE client of any API node sees every job live.
import os from "node:os";
import { CompoxError } from "../../contract/errors.js";
import type { EngineEvent, NewEngineEvent } from "../../contract/records.js";
import { EventBus } from "../runtime/event-bus.js";
import type { QueuedJob } from "../jobs/queued-job.js";
import { ClusterLink, deviceQueue, settleWithin, workerQueue, type WorkerInfo } from "./cluster-link.js";
import { clusterQueue, queueFor, type ClusterSide } from "./cluster-queue.js";

/** How often a worker says it is alive, and how long that holds. */
const HEARTBEAT_MS = 2000;
const HEARTBEAT_TTL_MS = 6000;
/** How often an API node looks for jobs whose worker is gone. */
const REAP_MS = 2000;
/** How often PENDING jobs are checked against the queues, and how old one must be to be checked
 * (younger ones may still be on their way there from the node that took them). */
const RECONCILE_MS = 10_000;
const RECONCILE_AFTER_MS = 10_000;

/** An event bus whose events also reach every other node (and theirs this one) once a cluster node relays it. */
export class RelayedEventBus extends EventBus {
  private publish: (event: NewEngineEvent) => void = () => {};

  override emit(event: NewEngineEvent) {
    const numbered = super.emit(event);
    this.publish(event);
    return numbered;
  }

  /** Sends every event emitted here on with `publish`. */
  relayTo(publish: (event: NewEngineEvent) => void): void {
    this.publish = publish;
  }

  /** Called with the number of listeners whenever it changes. */
  onListeners: (count: number) => void = () => {};

  override on(listener: (event: EngineEvent) => void): () => void {
    const off = super.on(listener);
    this.onListeners(this.listenerCount);
    return () => {
      off();
      this.onListeners(this.listenerCount);
    };
  }

  /** An event from another node: shown here, not sent on. */
  receive(event: NewEngineEvent): void {
    super.emit(event);
  }
}

/** The devices workers offer, each with its own queue. */
const DEVICES = ["cpu", "gpu"] as const;

/**
 * Settles, every few seconds, the jobs held by workers that stopped answering (killed, cut off):
 * FAILED "worker lost", once over all API nodes; and the jobs that waited device_wait_s for a
 * device no live worker offers (its last GPU worker died, say): FAILED, saying what to start.
 * Also keeps the set of live workers' devices.
 */
function startReaper(side: ClusterSide, onWorkers: (live: WorkerInfo[]) => void): () => void {
  const { link, processor, workers, onError } = side;
  /** Since when this node has seen no live worker offer each device. */
  const unoffered = new Map<string, number>();
  const failUnoffered = async (live: WorkerInfo[]) => {
    const offered = new Set(live.flatMap((w) => w.devices));
    const now = Date.now();
    const limitMs = side.deviceWaitS() * 1000;
    for (const device of DEVICES) {
      if (offered.has(device)) {
        unoffered.delete(device);
        continue;
      }
      const since = unoffered.get(device) ?? now;
      unoffered.set(device, since);
      for (const { job, queuedAt } of await link.waiting(deviceQueue(device))) {
        if (now - Math.max(queuedAt, since) < limitMs) continue;
        // Taken off its queue first, so it ends here once, and no worker that appears now starts it.
        if (!(await link.removeQueued(job.id))) continue;
        const alternative = device === "gpu" ? `, or run it on the CPU (execution_device_override "cpu")` : "";
        await processor.endRecorded(job.id, job.kind, "FAILED", `no live worker offers ${device}: this ${job.kind} waited ${Math.round((now - queuedAt) / 1000)} s for one (device_wait_s = ${side.deviceWaitS()}); start a worker with --devices ${device}${alternative}, then run it again`);
      }
    }
  };
  /** Since when this node has seen each worker that holds jobs missing from the live set. */
  const missing = new Map<string, number>();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      const live = await link.liveWorkers();
      onWorkers(live);
      const names = new Set(live.map((w) => w.name));
      const now = Date.now();
      const heldJobs = await workers.held();
      const holders = new Set(heldJobs.map((h) => h.worker));
      for (const name of missing.keys()) if (names.has(name) || !holders.has(name)) missing.delete(name);
      for (const held of heldJobs) {
        if (names.has(held.worker)) continue;
        // Missing for a heartbeat's lifetime as seen from here, not just absent now: a Redis that
        // restarted empty has forgotten every heartbeat, and live workers send theirs again
        // within HEARTBEAT_MS.
        const since = missing.get(held.worker) ?? now;
        missing.set(held.worker, since);
        if (now - since < HEARTBEAT_TTL_MS || !(await link.claimLost(held.id))) continue;
        try {
          await processor.endRecorded(held.id, held.kind, "FAILED", `worker lost: ${held.worker} stopped answering while it held this ${held.kind} (killed, crashed or cut off); run it again`);
        } catch (err) {
          await link.releaseLost(held.id); // another pass (here or on another node) tries again
          throw err;
        }
      }
      await failUnoffered(live);
    })()
      .catch((err: unknown) => onError("looking for lost workers", err))
      .finally(() => (busy = false));
  }, REAP_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Every RECONCILE_MS, queues again each PENDING job that no worker holds and whose entry is in no
 * queue: its API node died before it reached Redis, or Redis lost it (restarted without
 * persistence). Queueing is idempotent (the entry's id is the job's), so nodes may do it at once.
 */
function startReconciler(side: ClusterSide): () => void {
  const { link, processor, workers, onError, jobOf } = side;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      for (const { kind, id } of await workers.waitingSince(Date.now() - RECONCILE_AFTER_MS)) {
        if (await link.isQueued(id)) continue;
        const job = await jobOf(kind, id);
        if (job === undefined) continue; // it moved on meanwhile
        if (typeof job === "string") {
          await processor.endRecorded(id, kind, "FAILED", `could not be queued again: ${job}`);
          continue;
        }
        const queue = await queueFor(side, job);
        if (queue) await link.enqueue(queue, job);
      }
    })()
      .catch((err: unknown) => onError("queueing lost jobs again", err))
      .finally(() => (busy = false));
  }, RECONCILE_MS);
  timer.unref();
  return () => clearInterval(timer);
}

export interface WorkerOptions {
  name: string;
  devices: string[];
  concurrency: number;
}

/** Runs this process as a worker until the returned function is called (which lets running jobs finish within its grace, then leaves). */
async function startWorker(
  opts: WorkerOptions,
  deps: ClusterSide & { sessionHours: () => number },
): Promise<(graceMs: number, interrupt: () => Promise<void>) => Promise<void>> {
  const { link, processor, workers, onError } = deps;
  const info: WorkerInfo = { ...opts, host: os.hostname(), pid: process.pid, started: new Date().toISOString() };
  const twin = (await link.liveWorkers()).find((w) => w.name === opts.name);
  if (twin)
    throw new CompoxError("invalid_request", `a worker named ${opts.name} is running (pid ${twin.pid} on ${twin.host}): give this one another --name, or wait ${HEARTBEAT_TTL_MS / 1000} s if that one was just stopped`);
  // What a previous process of this name held cannot be running: it ends FAILED now.
  for (const held of await workers.held()) {
    if (held.worker === opts.name && (await link.claimLost(held.id)))
      await processor.endRecorded(held.id, held.kind, "FAILED", `worker lost: ${opts.name} restarted while it held this ${held.kind}; run it again`);
  }
  await link.heartbeat(info, HEARTBEAT_TTL_MS);
  const beat = setInterval(() => void link.heartbeat(info, HEARTBEAT_TTL_MS).catch((err: unknown) => onError("the heartbeat", err)), HEARTBEAT_MS);
  const run = async (job: QueuedJob) => {
    // Pinned while the job runs (the next request of its session comes after it ends).
    const pinned = job.sessionToken ? link.pinSession(job.sessionToken, `${opts.name}#${info.started}`, deps.sessionHours() * 3600) : Promise.resolve();
    await processor.runQueued(job, { worker: opts.name, stopRequested: () => link.stopRequested(job.id) });
    await pinned;
    // Ended (here or elsewhere) unless this worker still runs it (the queue handed it over twice).
    if (!processor.holds(job.id)) await link.forgetJob(job.id).catch((err: unknown) => onError(`forgetting ${job.kind} ${job.id}`, err));
  };
  const consumers = [...opts.devices.map(deviceQueue), workerQueue(opts.name)].map((q) => link.consume(q, opts.concurrency, run));
  return async (graceMs: number, interrupt: () => Promise<void>) => {
    // From now on no job is taken; running ones get the grace to finish (the heartbeat goes on,
    // so no node takes this worker for lost meanwhile), then what remains is failed saying why.
    const drained = Promise.all(consumers.map((c) => c.close()));
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([drained.then(() => true, () => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timer);
    if (!finished) {
      await interrupt();
      await settleWithin(Promise.all(consumers.map((c) => c.close(true))), 5000);
    }
    clearInterval(beat);
    await settleWithin(link.leave(opts.name), 5000);
  };
}

/** This process as a cluster node: the JobQueue its job service uses, and its roles. */
export type ClusterNode = ReturnType<typeof openClusterNode>;

/**
 * Connects this process to the cluster's Redis: events of every node shown here (and this one's
 * sent to them), stop requests for jobs this node's runners hold, lost workers' jobs settled;
 * `startWorker` makes it a worker.
 */
export function openClusterNode(opts: Omit<ClusterSide, "link"> & { queueUrl: string; events: RelayedEventBus }) {
  const { processor, onError, events } = opts;
  // A stop request from another node: this node's only when its runners hold the job.
  const stopHeld = (id: string, kind: QueuedJob["kind"]) => {
    processor.stop(id).catch((err: unknown) => onError(`stopping ${kind} ${id}`, err));
  };
  const link = new ClusterLink(opts.queueUrl, { onEvent: (e) => events.receive(e), onStop: stopHeld }, onError);
  events.relayTo((e) => link.publishEvent(e));
  // Other nodes' events: an API node always takes them (for its SSE clients and their replay); a
  // worker only while something here listens (serve --with-worker's clients, compox run).
  let isWorker = false;
  const wantEvents = () => void link.wantEvents(!isWorker || events.listenerCount > 0).catch((err: unknown) => onError("subscribing to events", err));
  events.onListeners = wantEvents;
  const side: ClusterSide = { ...opts, link };
  let gpuWorkers = false;
  let stopReaper: (() => void) | undefined;
  let stopWorker: ((graceMs: number, interrupt: () => Promise<void>) => Promise<void>) | undefined;
  const queue = clusterQueue(side);
  return {
    /** The JobQueue of this node's job service. */
    queue,
    /** Whether a live worker offers a GPU (as the reaper last saw). */
    hasGpuWorker: () => gpuWorkers,
    /** Starts settling lost workers' jobs and queueing lost jobs again (API nodes: `compox worker` does not). */
    startReaper(): void {
      if (stopReaper) return;
      const reaper = startReaper(side, (live) => (gpuWorkers = live.some((w) => w.devices.includes("gpu"))));
      const reconciler = startReconciler(side);
      stopReaper = () => {
        reaper();
        reconciler();
      };
    },
    async startWorker(worker: WorkerOptions, sessionHours: () => number): Promise<void> {
      if (stopWorker) throw new CompoxError("internal_error", "this process is a worker already");
      await link.ready();
      stopWorker = await startWorker(worker, { ...side, sessionHours });
      isWorker = true;
      wantEvents();
    },
    ready: () => link.ready(),
    /**
     * Leaves the cluster: the worker role first — no new jobs, running ones finish within
     * `graceMs`, then `interrupt` fails what remains — then the jobs this node accepted reach
     * Redis (within 10 s; any left stay PENDING for another node), then the connections.
     */
    async close(graceMs = 0, interrupt: () => Promise<void> = async () => {}): Promise<void> {
      stopReaper?.();
      await stopWorker?.(graceMs, interrupt);
      await queue.drain(10_000);
      await link.close();
    },
  };
}
