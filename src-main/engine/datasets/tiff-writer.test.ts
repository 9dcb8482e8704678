import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import { needsSkimage } from "../testing/system-needs.js";
import { tempDir } from "../testing/temp-algorithm.js";
import { encodeTiff } from "./tiff-writer.js";

test("16-bit grey stacks and 8-bit RGB pages read back exactly with sharp", async () => {
  const w = 5;
  const h = 3;
  const pages = [0, 1, 2].map((p) => ({ width: w, height: h, channels: 1 as const, data: new Uint16Array(w * h).map((_, i) => p * 20000 + i * 7) }));
  const tif = encodeTiff(pages);
  const meta = await sharp(tif).metadata();
  assert.deepEqual([meta.pages, meta.width, meta.height, meta.depth], [3, w, h, "ushort"]);
  const raw = await sharp(tif, { page: 2 }).toColourspace("grey16").raw({ depth: "ushort" }).toBuffer();
  assert.deepEqual([...new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2)], [...(pages[2]?.data ?? [])]);
  const rgb = { width: 2, height: 1, channels: 3 as const, data: new Uint8Array([255, 0, 0, 1, 2, 3]) };
  const back = await sharp(encodeTiff([rgb])).raw().toBuffer({ resolveWithObject: true });
  assert.equal(back.info.channels, 3);
  assert.deepEqual([...back.data], [255, 0, 0, 1, 2, 3]);
});

test("scikit-image reads the pages with their dtype", { skip: needsSkimage }, () => {
  using dir = tempDir();
  const file = path.join(dir.path, "stack.tif");
  fs.writeFileSync(file, encodeTiff([0, 1].map((p) => ({ width: 4, height: 2, channels: 1 as const, data: new Uint16Array(8).fill(1000 * (p + 1)) }))));
  const out = execFileSync("/usr/bin/python3", ["-c", "import sys, skimage.io as io; a = io.imread(sys.argv[1]); print(a.shape, a.dtype, int(a[1, 0, 0]))", file], { encoding: "utf8" });
  assert.equal(out.trim(), "(2, 2, 4) uint16 2000");
});

test("every sample type leaves in its own type: tifffile reads back the same dtype and values", { skip: needsSkimage }, () => {
  using dir = tempDir();
  const cases = {
    int8: Int8Array.from([-128, -1, 0, 127]),
    int16: Int16Array.from([-32768, -2, 3, 32767]),
    uint32: Uint32Array.from([0, 1, 2 ** 31, 2 ** 32 - 1]),
    int32: Int32Array.from([-(2 ** 31), -5, 6, 2 ** 31 - 1]),
    int64: BigInt64Array.from([-(2n ** 62n), -7n, 8n, 2n ** 62n]),
    uint64: BigUint64Array.from([0n, 9n, 2n ** 40n, 2n ** 63n]),
    float32: Float32Array.from([0.8649, -1.5, 1e-30, 3.4e38]),
    float64: Float64Array.from([0.1, -2.25, 1e-300, 1.7e308]),
  };
  for (const [dtype, data] of Object.entries(cases)) {
    const file = path.join(dir.path, `${dtype}.tif`);
    // Two pages of 2×2, the second the first reversed.
    const reversed = data.slice().reverse() as typeof data;
    fs.writeFileSync(file, encodeTiff([data, reversed].map((d) => ({ width: 2, height: 2, channels: 1 as const, data: d }))));
    const out = execFileSync("/usr/bin/python3", ["-c", "import sys, tifffile; a = tifffile.imread(sys.argv[1]); print(a.dtype, a.shape, ' '.join(repr(v) for v in a.ravel().tolist()))", file], { encoding: "utf8" }).trim();
    const values = [...data, ...reversed].map(String);
    const [gotDtype, ...rest] = out.split(" ");
    assert.equal(gotDtype, dtype, out);
    const got = rest.join(" ").replace(/^\(2, 2, 2\) /, "").split(" ");
    if (dtype.startsWith("float")) assert.deepEqual(got.map(Number), values.map(Number), `${dtype}: ${out}`);
    else assert.deepEqual(got, values, `${dtype}: ${out}`);
  }
});
