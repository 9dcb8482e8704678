import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import AdmZip from "adm-zip";
import { CompoxError, DeployError } from "../../contract/errors.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { extractAlgorithmZip, type ZipLimits } from "./zip-extract.js";

const MB = 2 ** 20;
// The ratio limit is out of the way here; its own test sets it.
const limits: ZipLimits = { maxTotalBytes: 4 * MB, maxEntryBytes: 2 * MB, maxEntries: 50, maxRatio: 1e9 };

function zipOf(files: Record<string, Buffer>): Buffer {
  const zip = new AdmZip();
  for (const [name, data] of Object.entries(files)) zip.addFile(name, data);
  return zip.toBuffer();
}

/** Rewrites every uncompressed-size field (local and central headers) to `size`: a lying zip. */
function lieAboutSizes(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50) out.writeUInt32LE(size, i + 24);
  }
  return out;
}

async function refusal(bytes: Buffer, within: ZipLimits = limits): Promise<CompoxError> {
  using dir = tempDir();
  try {
    await extractAlgorithmZip(bytes, dir.path, "bomb.zip", within);
  } catch (err) {
    assert.ok(err instanceof CompoxError, String(err));
    return err;
  }
  assert.fail("extracted");
}

test("a zip that unpacks past a limit is refused, naming the setting, even when its headers lie", async () => {
  const bomb = zipOf({ "pyproject.toml": Buffer.from("x"), "zeros.bin": Buffer.alloc(3 * MB) });
  assert.ok(bomb.length < 100 * 1024, "a small zip");
  const entry = await refusal(bomb);
  assert.equal(entry.code, "limit_exceeded");
  assert.equal(entry.status, 413);
  assert.match(entry.message, /zip entry zeros\.bin unpacks to more than 2 MB; the limit is 2 MB \(setting max_zip_entry_mb\)/);
  // Headers that claim 100 bytes: the count made while inflating still stops it.
  const lying = await refusal(lieAboutSizes(bomb, 100));
  assert.match(lying.message, /setting max_zip_entry_mb/);
  const many = await refusal(zipOf({ a: Buffer.alloc(1.5 * MB), b: Buffer.alloc(1.5 * MB), c: Buffer.alloc(1.5 * MB) }));
  assert.match(many.message, /bomb\.zip unpacks to \d+ MB; the limit is 4 MB \(setting max_unzipped_mb\)/);
  const manyLying = await refusal(lieAboutSizes(zipOf({ a: Buffer.alloc(1.5 * MB), b: Buffer.alloc(1.5 * MB), c: Buffer.alloc(1.5 * MB) }), 10));
  assert.match(manyLying.message, /unpacks to more than 4 MB.*max_unzipped_mb/);
  const files = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, Buffer.from("x")]));
  assert.match((await refusal(zipOf(files))).message, /has 51 entries, more than 50.*max_zip_entries/);
});

test("an entry over 1 MB that unpacks past max_zip_ratio times its compressed size is refused as it inflates", async () => {
  const ratio = { ...limits, maxTotalBytes: 64 * MB, maxEntryBytes: 64 * MB, maxRatio: 200 };
  const bomb = zipOf({ "pyproject.toml": Buffer.from("x"), "zeros.bin": Buffer.alloc(32 * MB) });
  const err = await refusal(bomb, ratio);
  assert.equal(err.code, "limit_exceeded");
  assert.match(err.message, /zip entry zeros\.bin unpacks to more than 200 times its compressed size .*setting max_zip_ratio/);
  // Small entries compress as far as they like; data that compresses modestly passes.
  using dir = tempDir();
  const noisy = Buffer.from(Array.from({ length: 2 * MB }, (_, i) => (i * 2654435761) >>> 27));
  await extractAlgorithmZip(zipOf({ "pyproject.toml": Buffer.alloc(512 * 1024, 32), "noisy.bin": noisy }), dir.path, "ok.zip", ratio);
  assert.equal(fs.statSync(path.join(dir.path, "noisy.bin")).size, 2 * MB);
});

test("a name used as both a file and a folder is a deploy error naming it, not a crash", async () => {
  const err = await refusal(zipOf({ "pyproject.toml": Buffer.from("x"), "files/a": Buffer.from("file"), "files/a/b.txt": Buffer.from("in a folder") }));
  assert.ok(err instanceof DeployError);
  assert.deepEqual(err.problems.map((p) => [p.path, p.message]), [["files/a", "is both a file and the folder of files/a/b.txt; re-create the zip from the algorithm folder"]]);
});

test("corrupted deflate data is a deploy error naming the entry, not a crash", async () => {
  const good = zipOf({ "pyproject.toml": Buffer.from("[project]\nname = 'x'\n".repeat(200)), "Runner.py": Buffer.from("class Runner: pass\n".repeat(100)) });
  const bad = Buffer.from(good);
  // Damage the first entry's compressed bytes (just after its 30-byte header and name).
  const nameLength = bad.readUInt16LE(26);
  for (let i = 30 + nameLength + 2; i < 30 + nameLength + 12; i++) bad[i] = (bad[i] ?? 0) ^ 0xa5;
  const err = await refusal(bad);
  assert.ok(err instanceof DeployError);
  assert.equal(err.problems[0]?.path, "pyproject.toml");
  assert.match(err.problems[0]?.message ?? "", /is corrupt .*re-create the zip/);
  using dir = tempDir();
  const folder = await extractAlgorithmZip(good, dir.path, "ok.zip", limits);
  assert.equal(fs.readFileSync(path.join(folder, "Runner.py"), "utf8"), "class Runner: pass\n".repeat(100));
});
