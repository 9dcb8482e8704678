// The 3-D TV row's memory, in a process of its own: the peak resident memory the denoising adds
// over the input volume (Linux VmHWM, reset just before the call), as a multiple of the float32
// volume's size. Prints one JSON line. Run by bench/run.ts:
//
//   node --import tsx bench/tv3d-memory.ts <depth> <height> <width> <iterations>
import fs from "node:fs";
import { denoiseTvChambolle } from "../algorithms/tv_denoising/helpers/chambolle.js";
import { noisyImage } from "../algorithms/tests/reference.js";

const [d, h, w, iterations] = process.argv.slice(2).map(Number) as [number, number, number, number];
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN);
const volume = noisyImage(d * h, w, 7);
const bytes = volume.byteLength;
globalThis.gc?.();
fs.writeFileSync("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
const before = kb("VmRSS");
const start = performance.now();
const out = denoiseTvChambolle(volume, [d, h, w], { weight: 0.1, eps: 0, maxNumIter: iterations });
const seconds = (performance.now() - start) / 1000;
const peak = kb("VmHWM");
console.log(JSON.stringify({ seconds, extra_mb: (peak - before) / 1024, volume_mb: bytes / 2 ** 20, times_volume: ((peak - before) * 1024) / bytes, checksum: out[123] }));
