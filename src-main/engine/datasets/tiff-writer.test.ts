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
