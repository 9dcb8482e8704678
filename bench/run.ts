// `npm run bench`: every figure is a ratio against a baseline measured in the same run (machines
// here are noisy), as the median of repeated runs with its spread. Writes bench/results/latest.json,
// latest.md (the table) and latest.svg (a chart of the ratios).
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import { CompoxClient } from "../src-main/contract/client.js";
import { denoiseTvChambolle } from "../algorithms/tv_denoising/helpers/chambolle.js";
import { ImageStats, METHODS, thresholdOf } from "../algorithms/threshold_segmentation/helpers/thresholds.js";
import { phaseCrossCorrelation } from "../algorithms/phase_correlation_registration/helpers/phase-correlation.js";
import { createSession, runPlane } from "../algorithms/onnx_denoiser/helpers/session.js";
import { cut, paste, tiles } from "../algorithms/onnx_denoiser/helpers/tiling.js";
import { hasSkimage, noisyImage } from "../algorithms/tests/reference.js";
import { pyproject, writeFiles } from "../src-main/engine/testing/temp-algorithm.js";
import { serveProcess } from "../src-main/server/testing/serve-process.js";
import { watchExecutions } from "./execution-watch.js";
import { bareFileServer } from "./plain-http.js";
import { markdown, svg, type Row } from "./report.js";
import { SkimageBaseline } from "./skimage-baseline.js";
import { INPUTS, REPEATS, compare, median, pct, time } from "./compare.js";
import { labelLoopBench, overHttpBenches } from "./over-http.js";
import { bioimageioBenches } from "./bioimageio.js";
import { writeHdf5 } from "../src-main/engine/datasets/hdf5.js";
import type { NDArray } from "../src-main/contract/ndarray.js";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

const root = fileURLToPath(new URL("..", import.meta.url));
/** 3-D TV: ours (WebAssembly, fused) against scikit-image on a 64×512×512 volume, per iteration
 * (eps 0 runs exactly `iterations`), with the memory each adds over the volume. */
async function tv3dBench(sk: SkimageBaseline): Promise<Row> {
  const [d, h, w, iterations] = [64, 512, 512, 5];
  const volume: NDArray = { dtype: "float32", shape: [d, h, w], data: noisyImage(d * h, w, 7) };
  const args = { weight: 0.1, eps: 0, max_num_iter: iterations };
  const ours: number[] = [];
  const theirs: number[] = [];
  let timesVolume = 0;
  for (let i = 0; i < Math.min(REPEATS, 3); i++) {
    // Ours in a fresh process each time, so its peak memory is its own (bench/tv3d-memory.ts).
    const out = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", path.join(root, "bench", "tv3d-memory.ts"), String(d), String(h), String(w), String(iterations)], { cwd: root, encoding: "utf8" })) as { seconds: number; times_volume: number };
    ours.push(out.seconds / iterations);
    timesVolume = Math.max(timesVolume, out.times_volume);
    theirs.push((await sk.run("tv", volume, args)).seconds / iterations);
  }
  const skPeak = (await sk.run("tv", volume, args, true)).peak_mb ?? NaN;
  const mb = median(theirs);
  const row: Row = {
    name: "3-D TV 64×512×512, per iteration",
    ours: `ours ${(median(ours) * 1000).toFixed(0)} ms`,
    baseline: `skimage warm ${(mb * 1000).toFixed(0)} ms`,
    ratio: median(ours) / mb,
    spread: [Math.min(...ours) / mb, Math.max(...ours) / mb],
    target: 0.5,
    goal: { text: "memory ≤ 4× volume", met: timesVolume <= 4 },
    note: `peak memory added: ours ${timesVolume.toFixed(1)}× the float32 volume (64 MB), scikit-image ${(skPeak / 64).toFixed(1)}× (traced)`,
  };
  console.log(`${row.name}: ${row.ratio.toFixed(2)}× (${row.ours} vs ${row.baseline}); ${row.note}`);
  return row;
}

async function algorithmBenches(sk: SkimageBaseline | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  if (!sk) console.log("scikit-image is not installed: skipping the comparisons against it");
  else {
    const { tv, big, a, b, pair } = INPUTS();
    rows.push(await compare("TV denoising 1024², kernel", () => denoiseTvChambolle(tv.data as Float32Array, [1024, 1024], { weight: 0.1 }), sk.seconds("tv", tv, { weight: 0.1 }), ["ours", "skimage warm"]));
    // Ours computes the histogram, range and mean once for all seven; scikit-image, per method.
    const methods = METHODS.filter((m) => m !== "local");
    const sevenOfOurs = () => {
      const stats = new ImageStats(big.data as Uint8Array, true, false);
      for (const m of methods) thresholdOf(m, stats);
    };
    rows.push(await compare("7 global thresholds 2048², kernel", sevenOfOurs, sk.seconds("thresholds", big, { methods }), ["ours", "skimage warm"], 0.25));
    rows.push(await compare("registration 1024² (upsample 20), kernel", () => phaseCrossCorrelation(a, b, 1024, 1024, 20), sk.seconds("registration", pair, { upsample_factor: 20 }), ["ours", "skimage warm"]));
    rows.push(await tv3dBench(sk));
  }
  // The ONNX algorithm's tiled path against bare session.run on the same, already cut tiles.
  const model = new Uint8Array(fs.readFileSync(path.join(root, "algorithms", "onnx_denoiser", "files", "model.onnx")));
  const { session } = await createSession(model, "cpu");
  const [h, w] = [1024, 1024];
  const image = noisyImage(h, w, 5);
  const all = tiles(h, w, 512, 16);
  const cutTiles = all.map((t) => ({ t, data: cut(image, w, t) }));
  const out = new Float32Array(h * w);
  rows.push(
    await compare(
      "ONNX denoiser 1024² (tiles 512)",
      async () => {
        for (const t of all) paste(out, w, t, await runPlane(session, cut(image, w, t), t.h, t.w));
      },
      async () =>
        time(async () => {
          for (const { t, data } of cutTiles) await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", data, [1, 1, t.h, t.w]) });
        }),
      ["algorithm", "raw session.run"],
      1.05,
      REPEATS * 3,
    ),
  );
  await session.release();
  rows.push(...bioimageioBenches(REPEATS));
  return rows;
}


async function serverBenches(sk: SkimageBaseline | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-"));
  const src = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-src-"));
  try {
    // A cooperative loop for the stop row: it checks for a stop as fast as it can.
    const loop = writeFiles(path.join(src, "loop"), {
      "pyproject.toml": pyproject("loop", "1.0").replace("Image2Image", "Generic"),
      "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { for (;;) this.checkStop(); } }\n',
    });
    execFileSync(process.execPath, [path.join(root, "bin", "compox.mjs"), "deploy-algorithms", loop, "--data-dir", data], { stdio: "ignore" });
    for (let i = 0; i < 9; i++) {
      const dir = writeFiles(path.join(src, `noop${i}`), {
        "pyproject.toml": pyproject(`noop${i}`, "1.0").replace("Image2Image", "Generic"),
        "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return ["done"]; } }\n',
      });
      execFileSync(process.execPath, [path.join(root, "bin", "compox.mjs"), "deploy-algorithms", dir, "--data-dir", data], { stdio: "ignore" });
    }
    // Cold start until GET / answers, against starting Node itself.
    const starts: number[] = [];
    const nodes: number[] = [];
    for (let i = 0; i < Math.min(REPEATS, 3); i++) {
      const t = performance.now();
      const s = await serveProcess(data);
      for (;;) {
        try {
          await new CompoxClient(s.url).info();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 10));
        }
      }
      starts.push((performance.now() - t) / 1000);
      s.child.kill("SIGTERM");
      await once(s.child, "exit");
      nodes.push(await time(() => execFileSync(process.execPath, ["-e", ""])));
    }
    rows.push({ name: "cold start of compox serve, 10 algorithms", ours: `${(median(starts) * 1000).toFixed(0)} ms`, baseline: `node -e "" ${(median(nodes) * 1000).toFixed(0)} ms`, ratio: median(starts) / median(nodes), spread: [Math.min(...starts) / median(nodes), Math.max(...starts) / median(nodes)], goal: { text: "≤ 250 ms", met: median(starts) <= 0.25 } });
    console.log(`cold start: ${rows.at(-1)?.ratio.toFixed(2)}×`);

    const { url, child } = await serveProcess(data);
    try {
      const client = new CompoxClient(url);
      const algs = await client.listAlgorithms({});
      const id = algs.find((a) => a.algorithm_name === "noop0")?.algorithm_id ?? "";
      const loopId = algs.find((a) => a.algorithm_name === "loop")?.algorithm_id ?? "";
      // One no-op execution: submitted over HTTP, done when COMPLETED arrives on the SSE stream.
      const watch = watchExecutions(client);
      await new Promise((r) => setTimeout(r, 200));
      const whenEnded = watch.ended;
      const runOne = async () => whenEnded((await client.execute({ algorithm_id: id, input_dataset_ids: [] })).execution_id);
      await runOne(); // the runner process starts here, outside the timing
      const execs: number[] = [];
      const trips: number[] = [];
      for (let i = 0; i < 50; i++) {
        execs.push(await time(runOne));
        trips.push(await time(() => client.info()));
      }
      for (const [label, p, goalMs] of [["p50", 0.5, 1], ["p99", 0.99, 3]] as const)
        rows.push({ name: `no-op execution via HTTP + SSE (${label})`, ours: `${(pct(execs, p) * 1000).toFixed(1)} ms`, baseline: `GET / ${(pct(trips, p) * 1000).toFixed(2)} ms`, ratio: pct(execs, p) / pct(trips, p), spread: [Math.min(...execs) / pct(trips, p), Math.max(...execs) / pct(trips, p)], goal: { text: `≤ ${goalMs} ms`, met: pct(execs, p) * 1000 <= goalMs } });
      console.log(`no-op execution p50 ${(pct(execs, 0.5) * 1000).toFixed(1)} ms, GET / ${(pct(trips, 0.5) * 1000).toFixed(2)} ms`);

      // Stop → STOPPED of a cooperative loop: from the stop request to the STOPPED event.
      const stops: number[] = [];
      for (let i = 0; i < 10; i++) {
        const { execution_id } = await client.execute({ algorithm_id: loopId, input_dataset_ids: [] });
        await watch.running(execution_id);
        await new Promise((r) => setTimeout(r, 20));
        const t = performance.now();
        await client.stopExecution(execution_id);
        await whenEnded(execution_id);
        stops.push((performance.now() - t) / 1000);
      }
      const trip = median(trips);
      rows.push({ name: "stop → STOPPED, cooperative loop (p50)", ours: `${(median(stops) * 1000).toFixed(1)} ms`, baseline: `GET / ${(trip * 1000).toFixed(2)} ms`, ratio: median(stops) / trip, spread: [Math.min(...stops) / trip, Math.max(...stops) / trip], goal: { text: "≤ 50 ms", met: median(stops) <= 0.05 } });
      console.log(`stop → STOPPED: ${(median(stops) * 1000).toFixed(1)} ms`);

      if (sk) rows.push(...(await overHttpBenches(client, src, whenEnded, sk)));
      rows.push(await labelLoopBench(client, src, whenEnded));

      // 256 MB through the API (upload, then download) against a bare node:http server that does
      // the same with the same client code: stream to a file, fsync, stream it back.
      const big = path.join(src, "big.h5");
      await writeHdf5(big, { image: { dtype: "uint8", shape: [16384, 16384], data: new Uint8Array(16384 * 16384).fill(9) } });
      const rssMb = () => (Number(fs.readFileSync(`/proc/${child.pid}/statm`, "utf8").split(" ")[1]) * 4096) / 2 ** 20;
      const before = rssMb();
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);
      const bare = await bareFileServer(path.join(src, "bare"));
      const roundTrip = async (base: string, uploadPath: string, downloadPath: (id: string) => string) => {
        const up = await fetch(`${base}${uploadPath}`, { method: "POST", body: Readable.toWeb(fs.createReadStream(big)) as ReadableStream, duplex: "half" } as RequestInit);
        const { file_id } = (await up.json()) as { file_id: string };
        const res = await fetch(`${base}${downloadPath(file_id)}`);
        await pipeline(Readable.fromWeb(res.body as import("node:stream/web").ReadableStream), fs.createWriteStream(path.join(src, "back.h5")));
        return file_id;
      };
      const io: number[] = [];
      const bareIo: number[] = [];
      for (let i = 0; i < Math.min(REPEATS, 3); i++) {
        io.push(await time(async () => client.deleteFile(await roundTrip(url, "/api/v0/files", (id) => `/api/v0/files/${id}`))));
        bareIo.push(await time(() => roundTrip(bare.url, "/", (id) => `/${id}`)));
      }
      await bare.close();
      clearInterval(sampler);
      rows.push({ name: "256 MB HDF5 upload + download", ours: `${(median(io) * 1000).toFixed(0)} ms`, baseline: `bare node:http + fsync ${(median(bareIo) * 1000).toFixed(0)} ms`, ratio: median(io) / median(bareIo), spread: [Math.min(...io) / median(bareIo), Math.max(...io) / median(bareIo)], target: 1.1, note: `server memory +${Math.round(peak - before)} MB at peak` });
      console.log(`256 MB: ${rows.at(-1)?.ratio.toFixed(2)}×, server +${Math.round(peak - before)} MB`);

      // Throughput: 1,000 no-op executions from 4 concurrent clients; none may be lost. A first
      // round of 200 warms the server's and the runner's JIT, as a running server is.
      const burst = async (total: number) => {
        const ids: string[] = [];
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (ids.length < total) {
              const p = client.execute({ algorithm_id: id, input_dataset_ids: [] });
              ids.push("pending");
              const { execution_id } = await p;
              ids[ids.indexOf("pending")] = execution_id;
            }
          }),
        );
        // Ends are counted from the event stream, as a client would; no polling inside the timing.
        await Promise.all(ids.map(whenEnded));
        return ids;
      };
      await burst(200);
      const total = 1000;
      const t0 = performance.now();
      const ids = await burst(total);
      const seconds = (performance.now() - t0) / 1000;
      let finished = 0;
      for (const eid of ids) if ((await client.getExecution(eid)).status === "COMPLETED") finished++;
      // The baseline: as many GET / from 4 concurrent clients, the server's own ceiling.
      let sent = 0;
      const getSeconds = await time(() => Promise.all(Array.from({ length: 4 }, async () => {
        while (sent++ < total) await client.info();
      })));
      const perTrip = getSeconds / total;
      rows.push({ name: `${total} no-op executions, 4 clients (${finished}/${total} completed)`, ours: `${(total / seconds).toFixed(0)} /s`, baseline: `GET /, 4 clients ${(1 / perTrip).toFixed(0)} /s`, ratio: (seconds / total) / perTrip, spread: [(seconds / total) / perTrip, (seconds / total) / perTrip], goal: { text: "≥ 650 /s", met: total / seconds >= 650 }, note: finished === total ? "none lost" : `${total - finished} not completed` });
      console.log(`throughput: ${(total / seconds).toFixed(0)} executions/s, ${finished}/${total} completed`);
      watch.close();
    } finally {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(src, { recursive: true, force: true });
  }
  return rows;
}

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-sk-"));
const sk = hasSkimage ? new SkimageBaseline(scratch) : undefined;
let rows: Row[];
try {
  rows = [...(await algorithmBenches(sk)), ...(process.env.BENCH_SKIP_SERVER ? [] : await serverBenches(sk))];
} finally {
  sk?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}
const dir = path.join(root, "bench", "results");
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "latest.json"), `${JSON.stringify({ date: new Date().toISOString(), machine, repeats: REPEATS, rows }, null, 2)}\n`);
fs.writeFileSync(path.join(dir, "latest.md"), markdown(rows, machine, REPEATS));
fs.writeFileSync(path.join(dir, "latest.svg"), svg(rows));
console.log(`\n${markdown(rows, machine, REPEATS)}`);
