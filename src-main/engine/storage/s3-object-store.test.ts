import assert from "node:assert/strict";
import { test } from "node:test";
import { CompoxError } from "../../contract/errors.js";
import { freePort } from "../testing/redis.js";
import { S3ObjectStore } from "./s3-object-store.js";

test("shared storage that does not answer is a 503 naming it, marked retryable, not a bare 500", async () => {
  process.env.AWS_ACCESS_KEY_ID ??= "test";
  process.env.AWS_SECRET_ACCESS_KEY ??= "test";
  const store = new S3ObjectStore({ bucket: "compox-down", prefix: "", endpoint: `http://127.0.0.1:${await freePort()}` });
  try {
    for (const call of [() => store.has("datasets/x.h5"), () => store.stream("datasets/x.h5"), () => store.delete("datasets/x.h5")])
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof CompoxError, String(err));
        assert.equal(err.status, 503);
        assert.match(err.message, /the shared storage s3:\/\/compox-down\/ at http:\/\/127\.0\.0\.1:\d+ does not answer/);
        assert.equal(err.toJSON().retryable, true);
        return true;
      });
  } finally {
    store.close();
  }
});
