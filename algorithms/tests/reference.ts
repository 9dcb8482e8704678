// Test and benchmark support: runs scikit-image (Debian's python3-skimage) on the same input, or
// reads committed reference outputs where scikit-image is not installed.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NDArray } from "../../src-main/contract/ndarray.js";
import { readHdf5, writeHdf5 } from "../../src-main/engine/datasets/hdf5.js";

const script = fileURLToPath(new URL("./skimage_reference.py", import.meta.url));
export const fixtures = fileURLToPath(new URL("./__fixtures__/", import.meta.url));
export const PYTHON = "/usr/bin/python3";

/** Is Debian's scikit-image importable? */
export const hasSkimage = (() => {
  try {
    execFileSync(PYTHON, ["-c", "import skimage, h5py"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** Runs `op` in scikit-image on `image`; returns its outputs and the seconds it took. */
export async function skimage(op: string, image: NDArray, args: Record<string, unknown>): Promise<{ out: Record<string, NDArray>; seconds: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "skimage-"));
  try {
    const src = path.join(dir, "in.h5");
    const dst = path.join(dir, "out.h5");
    await writeHdf5(src, { image });
    execFileSync(PYTHON, [script, op, src, dst, JSON.stringify(args)], { stdio: ["ignore", "ignore", "inherit"] });
    const out = await readHdf5(dst);
    const seconds = Number((out.seconds?.data as Float64Array)[0]);
    delete out.seconds;
    return { out, seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * scikit-image's answer when it is installed, else the committed reference file `name`
 * (COMPOX_REFERENCE_FILES=1 forces the files; COMPOX_WRITE_REFERENCES=1 rewrites them).
 */
export async function reference(name: string, op: string, image: NDArray, args: Record<string, unknown>): Promise<Record<string, NDArray>> {
  const file = path.join(fixtures, `${name}.h5`);
  if (hasSkimage && !process.env.COMPOX_REFERENCE_FILES) {
    const { out } = await skimage(op, image, args);
    if (process.env.COMPOX_WRITE_REFERENCES) await writeHdf5(file, out);
    return out;
  }
  return readHdf5(file);
}

/** A deterministic noisy test image: smooth shapes plus uniform noise (no Math.random). */
export function noisyImage(h: number, w: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const disk = (x - w / 2) ** 2 + (y - h / 2) ** 2 < (Math.min(h, w) / 4) ** 2 ? 0.6 : 0;
      const bar = x > w * 0.7 && x < w * 0.8 ? 0.3 : 0;
      out[y * w + x] = 0.2 + disk + bar + 0.1 * (rand() - 0.5);
    }
  return out;
}
