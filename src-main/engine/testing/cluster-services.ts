// Test support for cluster mode: the three services at once — a redis-server of its own, a fresh
// PostgreSQL database, s3rver — and the settings that point at them.
import type { SettingsInput } from "../../contract/settings.js";
import { needsPostgres, tempDatabase } from "./postgres.js";
import { needsRedis, startRedis } from "./redis.js";
import { startS3 } from "./s3.js";

/** Why cluster tests cannot run here, or false. */
export const needsClusterServices = needsRedis || needsPostgres;

export interface ClusterServices {
  settings: SettingsInput;
  /** The same, as the COMPOX_* variables a process reads (plus s3rver's AWS_* credentials). */
  env: Record<string, string>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startClusterServices(): Promise<ClusterServices> {
  const redis = await startRedis();
  const database = tempDatabase();
  const s3 = await startS3();
  const settings = { queue_url: redis.url, database_url: database.url, storage_url: "s3://compox-test/cluster", s3_endpoint: s3.endpoint };
  return {
    settings,
    env: { COMPOX_QUEUE_URL: redis.url, COMPOX_DATABASE_URL: database.url, COMPOX_STORAGE_URL: settings.storage_url, COMPOX_S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" },
    async [Symbol.asyncDispose]() {
      await s3[Symbol.asyncDispose]();
      await redis[Symbol.asyncDispose]();
      database[Symbol.dispose]();
    },
  };
}
