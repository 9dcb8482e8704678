import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { resolveDataDir } from "./data-dir.js";

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
