// A full disk is an answer, not a failure: on a small tmpfs, writes answer 507 naming the data
// directory and its free space, leave nothing behind, and DELETE still frees space; a restart on
// the full disk keeps the owner lock. Needs root to mount the tmpfs (CI runs as root).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { writeHdf5 } from "../engine/datasets/hdf5.js";
import { createEngine, type Engine } from "../engine/index.js";
import { eventually } from "../engine/testing/eventually.js";
import { createApi } from "./app.js";

const HOST = { host: "127.0.0.1:5481" };

function mountTmpfs(mb: number): { dir: string; [Symbol.dispose](): void } | string {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return "needs root on Linux to mount a small tmpfs";
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${mb}m`, "tmpfs", dir], { stdio: "pipe" });
  } catch (err) {
    fs.rmdirSync(dir);
    return `cannot mount a tmpfs here (${(err as Error).message.split("\n")[0]})`;
  }
  return {
    dir,
    [Symbol.dispose]() {
      execFileSync("umount", ["-l", dir]);
      fs.rmdirSync(dir);
    },
  };
}

const probe = mountTmpfs(1);
const skip = typeof probe === "string" ? probe : false;
if (typeof probe !== "string") probe[Symbol.dispose]();

/** An HDF5 upload of `mb` MB of noise (incompressible, so it really takes the space). */
async function noiseH5(mb: number): Promise<Buffer> {
  const file = path.join(os.tmpdir(), `compox-upload-${process.pid}-${mb}.h5`);
  const data = new Uint8Array(mb * 2 ** 20).map((_, i) => (i * 2654435761) >>> 24);
  await writeHdf5(file, { image: { dtype: "uint8", shape: [mb * 1024, 1024], data } });
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return bytes;
}

test("a full disk answers 507 naming the data directory; nothing is left behind; DELETE frees space; restart keeps the lock", { skip }, async () => {
  using disk = mountTmpfs(48) as Exclude<ReturnType<typeof mountTmpfs>, string>;
  const dataDir = path.join(disk.dir, "data");
  let engine: Engine = await createEngine({ dataDir, gpus: () => ({ cudaDevices: 0 }) });
  const app = () => createApi(engine);
  const upload = async (body: Buffer) => {
    const res = await app().request("/api/v0/files", { method: "POST", body: new Uint8Array(body), headers: HOST });
    return { status: res.status, json: (await res.json()) as { file_id?: string; code?: string; detail?: string } };
  };
  const chunk = await noiseH5(4);
  const stored: string[] = [];
  let full: Awaited<ReturnType<typeof upload>> | undefined;
  for (let i = 0; i < 20 && !full; i++) {
    const r = await upload(chunk);
    if (r.status === 200) stored.push(r.json.file_id!);
    else full = r;
  }
  assert.ok(full, "the disk filled up");
  assert.equal(full.status, 507, JSON.stringify(full.json));
  assert.equal(full.json.code, "disk_full");
  assert.match(full.json.detail ?? "", new RegExp(`data directory ${dataDir} is full \\(\\d+\\.\\d MB free\\); free space`));
  assert.ok(stored.length >= 3, `${stored.length} stored before the disk filled`);
  // The failed upload left no temp file behind.
  assert.deepEqual(fs.readdirSync(path.join(dataDir, "datasets", "tmp")), []);

  // Fill what is left to the last byte: DELETE must still work, and then an upload fits again.
  const filler = path.join(disk.dir, "filler");
  const fd = fs.openSync(filler, "w");
  try {
    for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024));
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, "ENOSPC");
  } finally {
    fs.closeSync(fd);
  }
  for (const id of stored.splice(-2)) {
    const del = await app().request(`/api/v0/files/${id}`, { method: "DELETE", headers: HOST });
    assert.equal(del.status, 200, await del.text());
  }
  fs.rmSync(filler);
  // The files go off the request path; then there is room for the reserve and one more upload.
  await eventually(() => fs.readdirSync(path.join(dataDir, "datasets", "tmp")).length === 0, "the deleted files to be unlinked");
  const again = await upload(chunk);
  assert.equal(again.status, 200, JSON.stringify(again.json));

  // Restart on a disk filled to the last byte: the owner lock is taken (it needs no new space) and holds.
  await engine.close();
  const fd2 = fs.openSync(filler, "w");
  try {
    for (;;) fs.writeSync(fd2, Buffer.alloc(4096));
  } catch {
    // full
  } finally {
    fs.closeSync(fd2);
  }
  engine = await createEngine({ dataDir, gpus: () => ({ cudaDevices: 0 }) });
  try {
    // A second process on the same directory is refused.
    const engineUrl = new URL("../engine/index.ts", import.meta.url).href;
    const second = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `const { createEngine } = await import(${JSON.stringify(engineUrl)}); try { await createEngine({ dataDir: ${JSON.stringify(dataDir)} }); console.log("opened"); } catch (e) { console.log(e.code); }`], { encoding: "utf8" });
    assert.equal(second.stdout.trim(), "data_dir_in_use", second.stderr);
    const list = await app().request("/api/v0/files", { headers: HOST });
    assert.equal(list.status, 200, "reads keep working on the full disk");
  } finally {
    await engine.close();
  }
});
