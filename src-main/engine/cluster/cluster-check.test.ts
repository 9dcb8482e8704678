import assert from "node:assert/strict";
import { test } from "node:test";
import { Redis } from "ioredis";
import { clusterConfigOf } from "../config/cluster-config.js";
import { needsRedis, startRedis } from "../testing/redis.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { checkClusterServices } from "./cluster-check.js";

test("doctor says loudly when Redis keeps nothing across a restart, and is quiet once it does", { skip: needsRedis }, async () => {
  await using redis = await startRedis(); // started without persistence
  using shared = tempDir();
  const config = clusterConfigOf({ queue_url: redis.url, database_url: "postgres://u:pw@127.0.0.1:1/none", storage_url: `file://${shared.path}` });
  assert.equal(config.mode, "cluster");
  if (config.mode !== "cluster") return;
  const persistence = async () => (await checkClusterServices(config)).find((c) => c.service === "queue persistence");
  assert.match((await persistence())?.problem ?? "", /Redis keeps nothing across a restart .*--appendonly yes/);
  const client = new Redis(redis.url);
  try {
    await client.config("SET", "appendonly", "yes");
  } finally {
    client.disconnect();
  }
  assert.equal(await persistence(), undefined);
});
