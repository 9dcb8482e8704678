// Test support for cluster mode: the three services at once — a redis-server of its own, a fresh
// PostgreSQL database, s3rver — the settings that point at them, and an in-process cluster on them.
import type { SettingsInput } from "../../contract/settings.js";
import type { WorkerOptions } from "../cluster/cluster-runtime.js";
import type { EngineOptions } from "../engine.js";
import { needsPostgres, tempDatabase } from "./postgres.js";
import { needsRedis, startRedis, type TestRedis } from "./redis.js";
import { S3RVER_ENV, startS3, type TestS3 } from "./s3.js";
import { testEngine, type TestEngine } from "./test-engine.js";

/** Why cluster tests cannot run here, or false. */
export const needsClusterServices = needsRedis || needsPostgres;

export interface ClusterServices {
  settings: SettingsInput;
  redis: TestRedis;
  s3: TestS3;
  /** The cluster's own database (a fresh one on the test server). */
  databaseUrl: string;
  /** The same, as the COMPOX_* variables a process reads (plus s3rver's AWS_* credentials). */
  env: Record<string, string>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startClusterServices(): Promise<ClusterServices> {
  const redis = await startRedis();
  const database = await tempDatabase();
  const s3 = await startS3();
  const settings = { queue_url: redis.url, database_url: database.url, storage_url: "s3://compox-test/cluster", s3_endpoint: s3.endpoint };
  return {
    settings,
    redis,
    s3,
    databaseUrl: database.url,
    env: { COMPOX_QUEUE_URL: redis.url, COMPOX_DATABASE_URL: database.url, COMPOX_STORAGE_URL: settings.storage_url, COMPOX_S3_ENDPOINT: s3.endpoint, ...S3RVER_ENV },
    async [Symbol.asyncDispose]() {
      await s3[Symbol.asyncDispose]();
      await redis[Symbol.asyncDispose]();
      await database[Symbol.asyncDispose]();
    },
  };
}

export interface TestCluster {
  /** The API engine (ready: it sees the workers' events). */
  api: TestEngine;
  /** Each worker engine by name. */
  workers: Record<string, TestEngine>;
  /** The services' settings (database_url, queue_url, …). */
  settings: SettingsInput;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Fresh services, an API engine and one worker engine per entry of `workers`, each on its own data directory. */
export async function startTestCluster(workers: readonly WorkerOptions[], options: Partial<EngineOptions> = {}): Promise<TestCluster> {
  const services = await startClusterServices();
  const open = () => testEngine({ ...options, settings: { ...services.settings, ...options.settings } });
  const api = await open();
  const engines: Record<string, TestEngine> = {};
  await api.engine.ready();
  for (const w of workers) {
    engines[w.name] = await open();
    await engines[w.name]!.engine.startWorker(w);
  }
  return {
    api,
    workers: engines,
    settings: services.settings,
    async [Symbol.asyncDispose]() {
      for (const w of Object.values(engines)) await w[Symbol.asyncDispose]();
      await api[Symbol.asyncDispose]();
      await services[Symbol.asyncDispose]();
    },
  };
}
