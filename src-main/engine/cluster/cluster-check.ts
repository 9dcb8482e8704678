// `compox doctor` in cluster mode: does each of the three services answer, with what problem.
import type * as IORedis from "ioredis";
import type { ClusterConfig } from "../config/cluster-config.js";
import { lazyRequire } from "../lazy-require.js";
import { postgresProblem, redact } from "../store/postgres/pg-sync.js";
import { openObjectStore } from "../storage/open-object-store.js";

const ioredis = lazyRequire<typeof IORedis>("ioredis");

export interface ServiceCheck {
  service: "queue" | "database" | "storage";
  where: string;
  /** What is wrong, or undefined when it answered. */
  problem?: string;
}

const messageOf = (err: unknown) => (err as Error)?.message ?? String(err);

async function checkRedis(url: string): Promise<string | undefined> {
  const redis = new (ioredis().Redis)(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return `${messageOf(err)}; check queue_url (COMPOX_QUEUE_URL) and that Redis is running`;
  } finally {
    redis.disconnect();
  }
}

/** Checks the queue, the database and the storage of a cluster configuration. */
export async function checkClusterServices(config: Extract<ClusterConfig, { mode: "cluster" }>): Promise<ServiceCheck[]> {
  const storage = openObjectStore(config.storage);
  try {
    return [
      { service: "queue", where: redact(config.queueUrl), problem: await checkRedis(config.queueUrl) },
      { service: "database", where: redact(config.databaseUrl), problem: postgresProblem(config.databaseUrl, 5000) },
      { service: "storage", where: storage.description, problem: await storage.check().then(() => undefined, messageOf) },
    ];
  } finally {
    storage.close();
  }
}
