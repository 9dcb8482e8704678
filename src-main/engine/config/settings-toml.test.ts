import assert from "node:assert/strict";
import { test } from "node:test";
import { parse } from "smol-toml";
import { patchSettingsToml } from "./settings-toml.js";

test("a settings patch edits only its keys' lines: comments, order and other keys stay", () => {
  const text = "# my settings\nport = 6000 # my port\n\n# keep old data a while\ndataset_expiry_days = 30\nallowed_origins = [\"http://a\"]\n";
  const out = patchSettingsToml(text, { dataset_expiry_days: 3, max_upload_mb: 100, api_token: null });
  assert.equal(out, "# my settings\nport = 6000 # my port\n\n# keep old data a while\ndataset_expiry_days = 3\nallowed_origins = [\"http://a\"]\nmax_upload_mb = 100\n");
  assert.equal(patchSettingsToml(out, { allowed_origins: null }).includes("allowed_origins"), false);
  assert.equal(patchSettingsToml("", { session_max: 2 }), "session_max = 2\n");
});

test("a value written over several lines is still replaced correctly (the file is rewritten)", () => {
  const text = "allowed_origins = [\n  \"http://a\",\n  \"http://b\",\n]\nport = 1\n";
  const out = patchSettingsToml(text, { allowed_origins: ["http://c"] });
  assert.deepEqual({ ...parse(out) }, { allowed_origins: ["http://c"], port: 1 });
});
