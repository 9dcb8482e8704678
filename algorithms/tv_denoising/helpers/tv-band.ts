// One band of rows of a 2-D Chambolle iteration, as JavaScript source: the main thread and a worker
// thread each run it on half of the image (a worker can only be started from source text here,
// because the algorithm is loaded as a single bundled file).
//
// Within a band the iteration is fused and lags one row: row y's divergence (reading p of rows y
// and y−1 before this iteration's update), then row y−1's gradient and p update (reading `out` of
// rows y−1 and y). At the border between bands the lower band computes its top row's divergence
// first and signals; the upper band waits for that before updating its last row.

export const BAND_SOURCE = `
function divergence(s, y) {
  const { image, out, py, px, w } = s;
  const row = y * w;
  const up = y > 0 ? row - w : -1;
  let v = -py[row] - px[row] + (up >= 0 ? py[up] : 0);
  out[row] = image[row] + v;
  let e = v * v;
  if (up >= 0) {
    for (let idx = row + 1, end = row + w; idx < end; idx++) {
      v = py[idx - w] - py[idx] + px[idx - 1] - px[idx];
      out[idx] = image[idx] + v;
      e += v * v;
    }
  } else {
    for (let idx = row + 1, end = row + w; idx < end; idx++) {
      v = px[idx - 1] - py[idx] - px[idx];
      out[idx] = image[idx] + v;
      e += v * v;
    }
  }
  return e;
}
function update(s, r) {
  const { out, py, px, h, w, tau, k } = s;
  const row = r * w;
  const down = r === h - 1 ? 0 : w;
  const end = row + w - 1;
  let normSum = 0;
  for (let idx = row; idx < end; idx++) {
    const o = out[idx];
    const gy = down ? out[idx + down] - o : 0;
    const gx = out[idx + 1] - o;
    const norm = Math.sqrt(gy * gy + gx * gx);
    normSum += norm;
    const scale = norm * k + 1;
    py[idx] = (py[idx] - tau * gy) / scale;
    px[idx] = (px[idx] - tau * gx) / scale;
  }
  const o = out[end];
  const gy = down ? out[end + down] - o : 0;
  const norm = Math.abs(gy);
  const scale = norm * k + 1;
  py[end] = (py[end] - tau * gy) / scale;
  px[end] = px[end] / scale;
  return normSum + norm;
}
function runBand(s, y0, y1, withD, signalTop, waitBelow) {
  let e = 0, normSum = 0;
  if (withD) e += divergence(s, y0);
  signalTop();
  for (let y = y0 + 1; y < y1; y++) {
    if (withD) e += divergence(s, y);
    normSum += update(s, y - 1);
  }
  if (y1 < s.h) waitBelow();
  normSum += update(s, y1 - 1);
  return [e, normSum];
}
`;

/** The worker's loop: waits for each iteration's command, runs its band, reports its sums. */
export const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
${BAND_SOURCE}
const { ctrl: ctrlBuf, sums: sumsBuf, image, out, py, px, h, w, tau, k, y0, y1 } = workerData;
const ctrl = new Int32Array(ctrlBuf);
const sums = new Float64Array(sumsBuf);
const s = { image: new Float32Array(image), out: new Float32Array(out), py: new Float32Array(py), px: new Float32Array(px), h, w, tau, k };
let seq = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seq);
  seq = Atomics.load(ctrl, 0);
  const cmd = Atomics.load(ctrl, 1);
  if (cmd === 2) break;
  try {
    const [e, n] = runBand(s, y0, y1, cmd === 1, () => { Atomics.store(ctrl, 2, seq); Atomics.notify(ctrl, 2); }, () => {});
    sums[0] = e;
    sums[1] = n;
    Atomics.store(ctrl, 3, seq);
  } catch {
    Atomics.store(ctrl, 2, -seq);
    Atomics.store(ctrl, 3, -seq);
  }
  Atomics.notify(ctrl, 2);
  Atomics.notify(ctrl, 3);
}
`;
