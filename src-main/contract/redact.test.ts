import assert from "node:assert/strict";
import { test } from "node:test";
import { redactUrl, redactUrlsIn } from "./redact.js";

test("passwords and secret query values are masked; the rest of the URL stays readable", () => {
  assert.equal(redactUrl("postgres://compox:s3cr%40t@db.lab:5432/compox"), "postgres://compox:***@db.lab:5432/compox");
  assert.equal(redactUrl("redis://:hunter2@redis.lab:6379/0"), "redis://:***@redis.lab:6379/0");
  assert.equal(redactUrl("postgres://db.lab/compox?sslmode=require&password=hunter2"), "postgres://db.lab/compox?sslmode=require&password=***");
  assert.equal(redactUrl("s3://bucket/prefix"), "s3://bucket/prefix");
  assert.equal(redactUrl("not a url"), "not a url");
  assert.equal(redactUrl("postgres://u:pw@host:notaport/db"), "postgres://u:***@host:notaport/db");
  assert.equal(redactUrlsIn('cannot reach postgres://u:pw@h:5432/d (ECONNREFUSED); queue "redis://:x@r:6379"'), 'cannot reach postgres://u:***@h:5432/d (ECONNREFUSED); queue "redis://:***@r:6379"');
});
