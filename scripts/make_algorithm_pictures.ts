// Draws the before/after pictures of the bundled algorithms' READMEs into docs/algorithms/.
// Run with: npx tsx scripts/make_algorithm_pictures.ts   (uses scikit-image's sample images)
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { stretch } from "../src-main/engine/datasets/image-export.js";
import { readHdf5 } from "../src-main/engine/datasets/hdf5.js";
import { denoiseTvChambolle } from "../algorithms/tv_denoising/helpers/chambolle.js";
import { globalThreshold } from "../algorithms/threshold_segmentation/helpers/thresholds.js";
import { phaseCrossCorrelation } from "../algorithms/phase_correlation_registration/helpers/phase-correlation.js";
import { classify, compileForest, type PixelModel } from "../algorithms/pixel_classifier/helpers/classifier.js";
import { twoClassImage } from "../algorithms/tests/synthetic-two-class.js";
import { fixtures } from "../algorithms/tests/reference.js";

const out = fileURLToPath(new URL("../docs/algorithms/", import.meta.url));
const data = "/usr/lib/python3/dist-packages/skimage/data";

async function grey(file: string): Promise<{ v: Float32Array; h: number; w: number }> {
  const { data: d, info } = await sharp(file).toColourspace("b-w").raw().toBuffer({ resolveWithObject: true });
  return { v: Float32Array.from(d, (x) => x / 255), h: info.height, w: info.width };
}

/** Panels side by side with a gap, each contrast-stretched. */
async function sideBySide(name: string, h: number, w: number, panels: ArrayLike<number>[]): Promise<void> {
  const gap = 8;
  const width = panels.length * w + (panels.length - 1) * gap;
  const canvas = new Uint8Array(h * width).fill(255);
  panels.forEach((p, k) => {
    const s = stretch(Float64Array.from(p));
    for (let y = 0; y < h; y++) canvas.set(s.subarray(y * w, (y + 1) * w), y * width + k * (w + gap));
  });
  await sharp(canvas, { raw: { width, height: h, channels: 1 } }).png().toFile(`${out}${name}.png`);
  console.log(`wrote docs/algorithms/${name}.png`);
}

let seed = 3;
const noise = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);

const cam = await grey(`${data}/camera.png`);
const noisy = Float32Array.from(cam.v, (x) => x + 0.3 * noise());
await sideBySide("tv_denoising", cam.h, cam.w, [noisy, denoiseTvChambolle(noisy, [cam.h, cam.w], { weight: 0.1 })]);

const coins = await grey(`${data}/coins.png`);
const u8 = Uint8Array.from(coins.v, (x) => Math.round(x * 255));
const t = globalThreshold("otsu", u8, true, false);
await sideBySide("threshold_segmentation", coins.h, coins.w, [u8, Uint8Array.from(u8, (x) => (x > t ? 1 : 0))]);

// Registration: the moving image is the reference shifted by (12.4, −7.7) px; overlays before and after.
const { h, w } = cam;
const shifted = new Float32Array(h * w);
const [sy, sx] = [-7.7, 12.4];
for (let y = 0; y < h; y++)
  for (let x = 0; x < w; x++) {
    const fy = Math.min(h - 1, Math.max(0, y - sy)), fx = Math.min(w - 1, Math.max(0, x - sx));
    const y0 = Math.floor(fy), x0 = Math.floor(fx), ay = fy - y0, ax = fx - x0;
    const at = (yy: number, xx: number) => cam.v[Math.min(h - 1, yy) * w + Math.min(w - 1, xx)]!;
    shifted[y * w + x] = (1 - ay) * ((1 - ax) * at(y0, x0) + ax * at(y0, x0 + 1)) + ay * ((1 - ax) * at(y0 + 1, x0) + ax * at(y0 + 1, x0 + 1));
  }
const [dy, dx] = phaseCrossCorrelation(cam.v, shifted, h, w, 20);
const back = new Float32Array(h * w);
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) back[y * w + x] = shifted[Math.min(h - 1, Math.max(0, Math.round(y - dy))) * w + Math.min(w - 1, Math.max(0, Math.round(x - dx)))]!;
const diff = (a: Float32Array) => Float32Array.from(a, (v, i) => Math.abs(v - cam.v[i]!));
await sideBySide("phase_correlation_registration", h, w, [diff(shifted), diff(back)]);
console.log(`registration recovered (x ${(-dx).toFixed(2)}, y ${(-dy).toFixed(2)}) for a shift of (${sx}, ${sy})`);

const ref = await readHdf5(`${fixtures}onnx-reference.h5`);
const [rh, rw] = ref.noisy!.shape as [number, number];
await sideBySide("onnx_denoiser", rh, rw, [ref.noisy!.data as Float32Array, ref.torch_output!.data as Float32Array]);

const model = JSON.parse(fs.readFileSync(fileURLToPath(new URL("../algorithms/pixel_classifier/files/model.json", import.meta.url)), "utf8")) as PixelModel;
const sample = twoClassImage(128, 128, 42);
await sideBySide("pixel_classifier", 128, 128, [sample.image, classify(compileForest(model), model, sample.image, 128, 128)]);
