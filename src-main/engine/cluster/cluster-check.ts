// `compox doctor` in cluster mode: does each of the three services answer, with what problem.
import type * as IORedis from "ioredis";
import type { ClusterConfig } from "../config/cluster-config.js";
import { lazyRequire } from "../lazy-require.js";
import { redactUrl } from "../../contract/redact.js";
import { postgresProblem } from "../store/postgres/pg-db.js";
import { openObjectStore } from "../storage/open-object-store.js";

const ioredis = lazyRequire<typeof IORedis>("ioredis");

export interface ServiceCheck {
  service: "queue" | "queue persistence" | "database" | "storage";
  where: string;
  /** What is wrong, or undefined when it answered. */
  problem?: string;
}

const messageOf = (err: unknown) => (err as Error)?.message ?? String(err);

/** Whether Redis answers, and whether it keeps its data across a restart (AOF or RDB snapshots). */
async function checkRedis(url: string): Promise<{ problem?: string; persistence?: string }> {
  const redis = new (ioredis().Redis)(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    return { problem: `${messageOf(err)}; check queue_url (COMPOX_QUEUE_URL) and that Redis is running` };
  }
  try {
    const [, aof] = (await redis.config("GET", "appendonly")) as string[];
    const [, save] = (await redis.config("GET", "save")) as string[];
    if (aof !== "yes" && !save?.trim())
      return { persistence: "Redis keeps nothing across a restart (appendonly no, no save points): queued jobs are then queued again from the records, with a delay, and events in flight are lost; start it with --appendonly yes (or set save points)" };
    return {};
  } catch {
    return {}; // CONFIG not allowed (a managed Redis): its persistence is its operator's to tell
  } finally {
    redis.disconnect();
  }
}

/** Checks the queue, the database and the storage of a cluster configuration. */
export async function checkClusterServices(config: Extract<ClusterConfig, { mode: "cluster" }>): Promise<ServiceCheck[]> {
  const storage = openObjectStore(config.storage);
  try {
    const queue = await checkRedis(config.queueUrl);
    return [
      { service: "queue", where: redactUrl(config.queueUrl), problem: queue.problem },
      ...(queue.persistence ? [{ service: "queue persistence" as const, where: redactUrl(config.queueUrl), problem: queue.persistence }] : []),
      { service: "database", where: redactUrl(config.databaseUrl), problem: await postgresProblem(config.databaseUrl, 5000) },
      { service: "storage", where: storage.description, problem: await storage.check().then(() => undefined, messageOf) },
    ];
  } finally {
    storage.close();
  }
}
