// End to end over a real socket: `compox serve` from dist/, the Python example client, a 256 MB
// streamed upload with bounded server memory, and a graceful SIGTERM.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { CompoxClient } from "../contract/client.js";
import { writeHdf5 } from "../engine/datasets/hdf5.js";
import { readOwner } from "../engine/index.js";
import { needsPython, PYTHON } from "../engine/testing/system-needs.js";
import { pyproject, tempDir, writeFiles } from "../engine/testing/temp-algorithm.js";
import { serveProcess } from "./testing/serve-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PY = PYTHON ?? "python3";


function rssMb(pid: number): number {
  return (Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * 4096) / 2 ** 20;
}

const IDENTITY = `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner {
  inference(x) { for (let i = 0; i < x.shape[0]; i++) { this.logMessage("slice " + i); this.setProgress((i + 1) / x.shape[0]); } return x; }
}`;

test("compox serve + the Python companion client: the whole flow over HTTP", { skip: needsPython }, async () => {
  using data = tempDir();
  using src = tempDir();
  const { url, child } = await serveProcess(data.path);
  try {
    const client = new CompoxClient(url);
    const dir = writeFiles(path.join(src.path, "ident"), { "pyproject.toml": pyproject("ident", "1.0"), "Runner.ts": IDENTITY });
    await client.deployLocal(dir);
    const events: string[] = [];
    const stop = client.events((e) => events.push(e.type));
    const { stdout } = await promisify(execFile)(PY, [path.join(root, "examples", "companion_client.py"), "--server", url, "--algorithm", "ident/1", "--slices", "10"], { timeout: 120000 });
    stop();
    assert.match(stdout, /uploaded 10 slices/);
    assert.match(stdout, /progress 1\.00 COMPLETED/);
    assert.equal((stdout.match(/^output .*: image \(64, 64\) uint8$/gm) ?? []).length, 10);
    assert.match(stdout, /deleted inputs and outputs/);
    assert.deepEqual(await client.listFiles(), []);
    assert.ok(events.includes("log") && events.includes("progress"), events.join());
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});

test("compox serve + the Python training example: samples, train pixel_classifier, its checkpoint segments a new image", { skip: needsPython }, async () => {
  using data = tempDir();
  const { url, child } = await serveProcess(data.path);
  try {
    const { stdout } = await promisify(execFile)(PY, [path.join(root, "examples", "companion_training.py"), "--server", url], { timeout: 180000 });
    assert.match(stdout, /^sample \S+ with 2 image\/mask pairs$/m);
    assert.match(stdout, /^training COMPLETED 1\.00 \{'images_loaded': 2, 'trees': 10\}$/m);
    assert.match(stdout, /^checkpoint \S+ \{'classes': \[1, 2\], 'images': 2, 'labels': 'dense'\}$/m);
    const accuracy = Number(/: ([\d.]+) of pixels right/.exec(stdout)?.[1]);
    assert.ok(accuracy > 0.9, stdout);
    assert.match(stdout, /deleted the sample, the checkpoint and the files/);
    const client = new CompoxClient(url);
    assert.deepEqual([await client.listFiles(), await client.listSamples({}), await client.listCheckpoints({})], [[], [], []]);
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});

test("a 256 MB upload is streamed to disk with bounded server memory", async () => {
  using data = tempDir();
  using big = tempDir();
  const file = path.join(big.path, "big.h5");
  await writeHdf5(file, { image: { dtype: "uint8", shape: [16384, 16384], data: new Uint8Array(16384 * 16384).fill(3) } });
  const { url, child } = await serveProcess(data.path);
  try {
    const client = new CompoxClient(url);
    // Warm up: the first HDF5 check loads h5wasm, a fixed cost unrelated to upload size.
    await client.uploadFile(await fs.promises.readFile(path.join(root, "src-main", "engine", "datasets", "__fixtures__", "h5py_all_dtypes.h5")));
    const pid = child.pid as number;
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
    const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream;
    const { file_id } = await client.uploadFile(body);
    clearInterval(sampler);
    const info = await client.fileInfo(file_id);
    assert.equal(info.size, fs.statSync(file).size);
    assert.deepEqual(info.keys.image?.shape, [16384, 16384]);
    assert.ok(peak - before < 128, `server memory grew by ${Math.round(peak - before)} MB for a 256 MB upload`);
  } finally {
    child.kill("SIGTERM");
    await once(child, "exit");
  }
});

test("SIGTERM stops gracefully: the owner lock is released and the exit code is 0", async () => {
  using data = tempDir();
  const { child } = await serveProcess(data.path);
  assert.equal(readOwner(data.path)?.pid, child.pid);
  child.kill("SIGTERM");
  const [code] = (await once(child, "exit")) as [number];
  assert.equal(code, 0);
  // Released in place (the file stays, so taking it again needs no disk space).
  assert.equal(readOwner(data.path), undefined);
  assert.match(fs.readFileSync(path.join(data.path, "owner.json"), "utf8"), /"pid":0,"released"/);
});
