import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { resolveDataDir, secureDataDir } from "./data-dir.js";
import { saveSettingsPatch } from "./settings-toml.js";

test("--data-dir wins, then COMPOX_DATA_DIR", () => {
  assert.equal(resolveDataDir({ flag: "/a", env: { COMPOX_DATA_DIR: "/b" } }), "/a");
  assert.equal(resolveDataDir({ env: { COMPOX_DATA_DIR: "/b" } }), "/b");
});

test("per-OS defaults", () => {
  assert.equal(resolveDataDir({ env: {}, platform: "linux", home: "/home/u" }), "/home/u/.local/share/compox-desktop");
  assert.equal(resolveDataDir({ env: { XDG_DATA_HOME: "/x" }, platform: "linux", home: "/home/u" }), "/x/compox-desktop");
  assert.equal(resolveDataDir({ env: {}, platform: "darwin", home: "/Users/u" }), path.join("/Users/u", "Library", "Application Support", "Compox Desktop"));
  assert.equal(resolveDataDir({ env: { APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, platform: "win32", home: "C:\\Users\\u" }), "C:\\Users\\u\\AppData\\Roaming\\Compox Desktop");
});

test("the data directory is its owner's alone and settings.toml is 0600, also when they existed before", { skip: process.platform === "win32" ? "POSIX modes" : false }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-modes-"));
  try {
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, "settings.toml"), 'api_token = "secret"\n', { mode: 0o644 });
    secureDataDir(dir);
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(dir, "settings.toml")).mode & 0o777, 0o600);
    fs.rmSync(path.join(dir, "settings.toml"));
    saveSettingsPatch(dir, { api_token: "another" });
    assert.equal(fs.statSync(path.join(dir, "settings.toml")).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
