import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../contract/errors.js";
import { clusterConfigOf, storageTargetOf } from "./cluster-config.js";

test("no service URL is the desktop; all three are cluster mode", () => {
  assert.deepEqual(clusterConfigOf({}), { mode: "desktop" });
  assert.deepEqual(clusterConfigOf({ queue_url: "redis://r:6379", database_url: "postgres://u:p@db/c", storage_url: "s3://lab-data/compox/", s3_endpoint: "http://minio:9000" }), {
    mode: "cluster",
    queueUrl: "redis://r:6379",
    databaseUrl: "postgres://u:p@db/c",
    storage: { bucket: "lab-data", prefix: "compox/", endpoint: "http://minio:9000" },
  });
});

test("some but not all: an error that names each missing URL, its flag and its variable", () => {
  let err: unknown;
  try {
    clusterConfigOf({ queue_url: "redis://r:6379" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConfigError);
  assert.deepEqual(err.problems.map((p) => p.path), ["database_url", "storage_url"]);
  assert.match(err.message, /database_url.*is missing: queue_url is set.*--database-url, COMPOX_DATABASE_URL=postgres:\/\//);
});

test("a bucket without a prefix stores at the bucket's root", () => {
  assert.deepEqual(storageTargetOf("s3://bucket"), { bucket: "bucket", prefix: "" });
  assert.deepEqual(storageTargetOf("s3://bucket/a/b"), { bucket: "bucket", prefix: "a/b/" });
  assert.deepEqual(storageTargetOf("file:///mnt/compox"), { folder: "/mnt/compox", bucket: "", prefix: "" });
});
