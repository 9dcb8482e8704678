// Cluster mode's use of Redis, in one place: BullMQ queues for jobs (one per device, and one per
// worker for pinned sessions), pub/sub for events and stop requests, and short-lived keys for
// worker heartbeats (a sorted set: no keyspace scans), session pins and stop flags. Loaded only
// in cluster mode.
import { randomUUID } from "node:crypto";
import type * as BullMQ from "bullmq";
import type * as IORedis from "ioredis";
import { CompoxError } from "../../contract/errors.js";
import type { NewEngineEvent } from "../../contract/records.js";
import { redactUrl } from "../../contract/redact.js";
import { lazyRequire } from "../lazy-require.js";
import type { JobKind } from "../store/job-workers.js";
import type { QueuedJob } from "../jobs/queued-job.js";

const bullmq = lazyRequire<typeof BullMQ>("bullmq");
const ioredis = lazyRequire<typeof IORedis>("ioredis");

const EVENTS = "compox:events";
const CONTROL = "compox:control";
const DAY_S = 24 * 3600;
/** Live workers: a sorted set of names by the time (Redis's, ms) their heartbeat lapses, and their descriptions. */
const WORKERS = "compox:workers";
const WORKER_INFO = "compox:worker-info";

// Redis's own clock, so that the nodes' clocks need not agree.
const NOW_MS = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";
const HEARTBEAT = `${NOW_MS}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
return 1`;
// Drops the lapsed (and their descriptions), then returns the descriptions of the rest.
const LIVE_WORKERS = `${NOW_MS}
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #gone > 0 then redis.call('ZREM', KEYS[1], unpack(gone)); redis.call('HDEL', KEYS[2], unpack(gone)) end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')
if #live == 0 then return {} end
return redis.call('HMGET', KEYS[2], unpack(live))`;

/** The worker process a session is pinned to: its name, and when that process started (a worker
 * restarted under the same name is another process, without the session's state). */
export interface SessionHolder {
  name: string;
  started: string | undefined;
}

/** A worker as it advertises itself. */
export interface WorkerInfo {
  name: string;
  devices: string[];
  concurrency: number;
  host: string;
  pid: number;
  started: string;
}

/** The queue of jobs for a device, and of one worker's pinned sessions. */
export const deviceQueue = (device: string) => `compox-${device}`;
export const workerQueue = (worker: string) => `compox-worker-${worker}`;

export interface LinkHandlers {
  /** An event another node emitted. */
  onEvent(event: NewEngineEvent): void;
  /** A stop request for a job, whichever node holds it. */
  onStop(id: string, kind: JobKind): void;
}

export class ClusterLink {
  /** This node's id, so it can tell its own published events from others'. */
  readonly node = randomUUID();
  readonly connection: { url: string; maxRetriesPerRequest: null };
  private readonly cmd: IORedis.Redis;
  private readonly sub: IORedis.Redis;
  private readonly queues = new Map<string, BullMQ.Queue>();
  private readonly subscribed: Promise<unknown>;
  private eventsWanted = true;
  /** Publishes in order, one after another (FIFO across this node's emits). */
  private publishing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly url: string,
    handlers: LinkHandlers,
    private readonly onError: (what: string, err: unknown) => void,
  ) {
    this.connection = { url, maxRetriesPerRequest: null };
    const { Redis } = ioredis();
    this.cmd = new Redis(url, { maxRetriesPerRequest: null, connectionName: "compox-cmd" });
    this.sub = new Redis(url, { maxRetriesPerRequest: null, connectionName: "compox-sub" });
    // A lost connection errs on every retry: said once, and again when it changes or after 30 s.
    let last = { text: "", at: 0 };
    const connectionError = (err: Error) => {
      if (err.message === last.text && Date.now() - last.at < 30_000) return;
      last = { text: err.message, at: Date.now() };
      onError(`redis at ${redactUrl(url)}`, err);
    };
    for (const c of [this.cmd, this.sub]) c.on("error", connectionError);
    this.sub.on("message", (channel: string, text: string) => {
      try {
        const m = JSON.parse(text) as { node: string; event?: NewEngineEvent; stop?: { id: string; kind: JobKind } };
        if (channel === EVENTS && m.event && m.node !== this.node) handlers.onEvent(m.event);
        if (channel === CONTROL && m.stop) handlers.onStop(m.stop.id, m.stop.kind);
      } catch (err) {
        onError(`a message on ${channel}`, err);
      }
    });
    this.subscribed = this.sub.subscribe(EVENTS, CONTROL);
  }

  /** Whether this node takes other nodes' events (a worker nobody listens to does not: at 50
   * workers, most deliveries of a broadcast would go to them for nothing). */
  async wantEvents(wanted: boolean): Promise<void> {
    if (wanted === this.eventsWanted) return;
    this.eventsWanted = wanted;
    await (wanted ? this.sub.subscribe(EVENTS) : this.sub.unsubscribe(EVENTS));
  }

  /** Resolves once subscribed (events published before then are not seen here); throws, naming the setting, when Redis does not answer in time. */
  async ready(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CompoxError("internal_error", `cannot reach Redis at ${redactUrl(this.url)} within ${timeoutMs / 1000} s; check queue_url (COMPOX_QUEUE_URL) and that Redis is running (\`compox doctor\` checks)`)), timeoutMs);
    });
    try {
      await Promise.race([this.subscribed, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends an event to every other node, after those this node sent before it. */
  publishEvent(event: NewEngineEvent): void {
    const text = JSON.stringify({ node: this.node, event });
    this.publishing = this.publishing.then(() => this.cmd.publish(EVENTS, text)).catch((err: unknown) => this.onError("publishing an event", err));
  }

  private queue(name: string): BullMQ.Queue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new (bullmq().Queue)(name, { connection: this.connection })));
    return q;
  }

  /** Adds a job to queue `name` (FIFO); remembers where it went, for a stop before it starts. */
  async enqueue(name: string, job: QueuedJob): Promise<void> {
    await Promise.all([this.cmd.set(`compox:queued:${job.id}`, name, "EX", DAY_S), this.queue(name).add(job.kind, job, { jobId: job.id, removeOnComplete: true, removeOnFail: true })]);
  }

  /** Whether a job's entry is in its queue (waiting, or taken by a worker that has not finished it). */
  async isQueued(id: string): Promise<boolean> {
    const name = await this.cmd.get(`compox:queued:${id}`);
    return name !== null && (await this.queue(name).getJob(id)) !== undefined;
  }

  /** Drops the keys of a job that has ended (where it was queued, a stop request), instead of keeping them a day. */
  async forgetJob(id: string): Promise<void> {
    await this.cmd.del(`compox:queued:${id}`, `compox:stop:${id}`);
  }

  /** Takes a job off its queue if no worker has taken it yet; true when it was removed. */
  async removeQueued(id: string): Promise<boolean> {
    const name = await this.cmd.get(`compox:queued:${id}`);
    if (!name) return false;
    const job = await this.queue(name).getJob(id);
    if (!job || !(await job.isWaiting())) return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // taken by a worker meanwhile: it gets the stop request instead
    }
  }

  /** Flags a job to stop and tells every node; a worker that takes it later sees the flag. */
  async requestStop(id: string, kind: JobKind): Promise<void> {
    await this.cmd.set(`compox:stop:${id}`, "1", "EX", DAY_S);
    await this.cmd.publish(CONTROL, JSON.stringify({ node: this.node, stop: { id, kind } }));
  }

  async stopRequested(id: string): Promise<boolean> {
    return (await this.cmd.exists(`compox:stop:${id}`)) === 1;
  }

  /** The worker that holds session `token`, if one does. */
  async sessionWorker(token: string): Promise<SessionHolder | null> {
    const pinned = await this.cmd.get(`compox:session:${token}`);
    if (pinned === null) return null;
    const cut = pinned.lastIndexOf("#");
    return cut < 0 ? { name: pinned, started: undefined } : { name: pinned.slice(0, cut), started: pinned.slice(cut + 1) };
  }

  /** Pins session `token` to a worker process (`name#started`: the first to serve it keeps it). */
  async pinSession(token: string, worker: string, ttlSeconds: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlSeconds));
    // The first worker keeps it; each use renews it (sessions expire after session_expire_hours unused).
    await Promise.all([this.cmd.set(`compox:session:${token}`, worker, "EX", ttl, "NX"), this.cmd.expire(`compox:session:${token}`, ttl)]);
  }

  /** Says this worker is alive for `ttlMs` (by Redis's clock, so nodes' clocks need not agree). */
  async heartbeat(info: WorkerInfo, ttlMs: number): Promise<void> {
    await this.cmd.eval(HEARTBEAT, 2, WORKERS, WORKER_INFO, info.name, ttlMs, JSON.stringify(info));
  }

  /** Says this worker is gone (a clean stop), so its jobs need not wait for the heartbeat to lapse. */
  async leave(name: string): Promise<void> {
    await this.cmd.multi().zrem(WORKERS, name).hdel(WORKER_INFO, name).exec();
  }

  /** The jobs waiting in queue `name`, oldest first, with when each was queued (ms since the epoch). */
  async waiting(name: string): Promise<{ job: QueuedJob; queuedAt: number }[]> {
    return (await this.queue(name).getWaiting()).reverse().map((j: BullMQ.Job<QueuedJob>) => ({ job: j.data, queuedAt: j.timestamp }));
  }

  /** The workers whose heartbeat has not lapsed: one sorted set read, however large the keyspace. */
  async liveWorkers(): Promise<WorkerInfo[]> {
    const infos = (await this.cmd.eval(LIVE_WORKERS, 2, WORKERS, WORKER_INFO)) as (string | null)[];
    return infos.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as WorkerInfo);
  }

  /** True for the one node that gets to settle job `id` as lost. */
  async claimLost(id: string): Promise<boolean> {
    return (await this.cmd.set(`compox:lost:${id}`, "1", "EX", DAY_S, "NX")) === "OK";
  }

  /** Gives up a claim that could not be carried out. */
  async releaseLost(id: string): Promise<void> {
    await this.cmd.del(`compox:lost:${id}`);
  }

  /** A BullMQ worker on queue `name`, running `process` for each job. */
  consume(name: string, concurrency: number, process: (job: QueuedJob) => Promise<void>): BullMQ.Worker {
    const worker = new (bullmq().Worker)(name, (job: BullMQ.Job<QueuedJob>) => process(job.data), {
      connection: this.connection,
      concurrency,
      // A worker killed mid-job is found by its heartbeat (cluster-runtime.ts), which fails the
      // job's record; BullMQ must not hand the job to another worker meanwhile.
      maxStalledCount: 0,
    });
    worker.on("error", (err) => this.onError(`the worker on ${name}`, err));
    return worker;
  }

  /** Closes the queues and connections; gives up waiting after `graceMs` (Redis may be gone). */
  async close(graceMs = 5000): Promise<void> {
    await settleWithin(Promise.all([this.publishing, ...[...this.queues.values()].map((q) => q.close())]), graceMs);
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}

/** Waits for `work` at most `ms` (then goes on: a shutdown must not hang on a lost connection). */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
