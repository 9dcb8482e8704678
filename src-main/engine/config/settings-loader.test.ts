import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ConfigError } from "../../contract/errors.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { loadSettings } from "./settings-loader.js";

test("defaults when nothing is set", () => {
  using dir = tempDir();
  const s = loadSettings({ dataDir: dir.path, env: {} });
  assert.equal(s.port, 5481);
  assert.equal(s.host, "127.0.0.1");
  assert.equal(s.max_concurrent_executions, 2);
  assert.equal(s.dataset_expiry_days, 7);
  assert.deepEqual(s.allowed_origins, []);
  assert.equal(s.api_token, undefined);
});

test("flags beat environment, which beats settings.toml, which beats defaults", () => {
  using dir = tempDir();
  fs.writeFileSync(path.join(dir.path, "settings.toml"), 'port = 6000\nhost = "0.0.0.0"\nsession_max = 9\nallowed_origins = ["http://a"]\n');
  const env = { COMPOX_PORT: "7000", COMPOX_SESSION_MAX: "3", COMPOX_ALLOWED_ORIGINS: "http://b, http://c", COMPOX_KEEP_FAILED_TRAINING_TEMP: "true" };
  const s = loadSettings({ dataDir: dir.path, env, flags: { port: 8000 } });
  assert.equal(s.port, 8000);
  assert.equal(s.session_max, 3);
  assert.equal(s.host, "0.0.0.0");
  assert.deepEqual(s.allowed_origins, ["http://b", "http://c"]);
  assert.equal(s.keep_failed_training_temp, true);
});

test("a bad value names where it came from", () => {
  using dir = tempDir();
  fs.writeFileSync(path.join(dir.path, "settings.toml"), "max_upload_mb = -1\nbogus = 1\n");
  assert.throws(
    () => loadSettings({ dataDir: dir.path, env: { COMPOX_PORT: "http" } }),
    (err: ConfigError) => {
      const where = err.problems.map((p) => `${path.basename(p.file)}|${p.path}`);
      assert.ok(where.includes("COMPOX_PORT|port"), where.join());
      assert.ok(where.includes("settings.toml|max_upload_mb"), where.join());
      assert.ok(where.some((w) => w.startsWith("settings.toml|")), where.join());
      return true;
    },
  );
});
