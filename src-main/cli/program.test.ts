import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { writeHdf5 } from "../engine/datasets/hdf5.js";
import { openImage } from "../engine/datasets/image-import.js";
import { needsPython } from "../engine/testing/system-needs.js";
import { fileURLToPath } from "node:url";
import { tempDir, tsAlgorithm, writeFiles } from "../engine/testing/temp-algorithm.js";
import { runCli, type CliIO } from "./program.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs the CLI in-process on a temp data dir, capturing its output. */
async function cli(args: string[], opts: { dataDir: string; cwd: string; answer?: string }) {
  let stdout = "";
  let stderr = "";
  const prompts: string[] = [];
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readLine: async (p) => {
      prompts.push(p);
      return opts.answer ?? "";
    },
    env: { COMPOX_DATA_DIR: opts.dataDir },
    cwd: opts.cwd,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr, prompts };
}

test("deploy twice reports unchanged; list --json shows the line with its minor versions", async () => {
  using data = tempDir();
  using src = tempDir();
  const dir = tsAlgorithm(path.join(src.path, "demo"));
  const o = { dataDir: data.path, cwd: src.path };
  const first = await cli(["deploy-algorithms", "demo"], o);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /✓ demo: deployed v1\.3 \(new\)/);
  const second = await cli(["deploy-algorithms", "demo"], o);
  assert.match(second.stdout, /= demo: unchanged v1\.3/);
  writeFiles(dir, { "files/weights.bin": "new" });
  await cli(["deploy-algorithms", "demo"], o);
  const list = await cli(["list", "--json"], o);
  const algs = JSON.parse(list.stdout) as { algorithm_name: string; algorithm_minor_versions: string[] }[];
  assert.equal(algs.length, 1);
  assert.deepEqual(algs[0]?.algorithm_minor_versions, ["3", "4"]);
  const human = await cli(["list"], o);
  assert.match(human.stdout, /^NAME\s+VERSION\s+MINORS/);
  assert.match(human.stdout, /demo\s+1\.4\s+3,4\s+Image2Image/);
});

test("list --json prints [] when nothing is deployed", async () => {
  using data = tempDir();
  const r = await cli(["list", "--json"], { dataDir: data.path, cwd: data.path });
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test("a failing deploy lists every problem and exits 1; --json gives them to scripts", async () => {
  using data = tempDir();
  using src = tempDir();
  writeFiles(path.join(src.path, "bad"), { "pyproject.toml": '[project]\nname = "bad"\nversion = "1"\n', "Runner.ts": "export class Runner {}" });
  const o = { dataDir: data.path, cwd: src.path };
  const r = await cli(["deploy-algorithms", "bad"], o);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ .*bad: cannot deploy\n {2}pyproject\.toml: project\.version: must be "major\.minor"/);
  const j = await cli(["--json", "deploy-algorithms", "bad"], o);
  const parsed = JSON.parse(j.stdout) as { ok: boolean; error: { code: string } }[];
  assert.equal(parsed[0]?.ok, false);
  assert.equal(parsed[0]?.error.code, "config_invalid");
});

test("--name keeps only folders of that name; --config is accepted with a warning", async () => {
  using data = tempDir();
  using src = tempDir();
  tsAlgorithm(path.join(src.path, "one"), "one");
  tsAlgorithm(path.join(src.path, "two"), "two");
  const r = await cli(["deploy-algorithms", "one", "two", "--name", "two", "--config", "server.yaml"], { dataDir: data.path, cwd: src.path });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stdout, /one/);
  assert.match(r.stdout, /two: deployed/);
  assert.match(r.stderr, /--config server\.yaml is ignored/);
});

test("export writes a zip; export of a non-exportable algorithm fails with the reason", async () => {
  using data = tempDir();
  using src = tempDir();
  tsAlgorithm(path.join(src.path, "demo"));
  tsAlgorithm(path.join(src.path, "secret"), "secret", "1.0", "exportable = false");
  const o = { dataDir: data.path, cwd: src.path };
  await cli(["deploy-algorithms", "demo", "secret"], o);
  const ok = await cli(["export", "demo/1", "--out", "x.zip"], o);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(fs.statSync(path.join(src.path, "x.zip")).size > 0);
  const refused = await cli(["export", "secret/1"], o);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /not exportable/);
  const badRef = await cli(["export", "demo"], o);
  assert.match(badRef.stderr, /"demo" is not <name>\/<major>/);
});

test("remove: refused when not removable, --force asks first, 'n' cancels, 'y' removes", async () => {
  using data = tempDir();
  using src = tempDir();
  tsAlgorithm(path.join(src.path, "demo"));
  const o = { dataDir: data.path, cwd: src.path };
  await cli(["deploy-algorithms", "demo"], o);
  const refused = await cli(["remove", "demo/1"], o);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /not removable .*--force/);
  const cancelled = await cli(["remove", "demo/1", "--force"], { ...o, answer: "n" });
  assert.equal(cancelled.code, 1);
  assert.match(cancelled.prompts[0] ?? "", /marked not removable\. Remove all of demo 1 anyway\? \[y\/N\]/);
  assert.equal(JSON.parse((await cli(["list", "--json"], o)).stdout).length, 1);
  const removed = await cli(["remove", "demo/1", "--force"], { ...o, answer: "y" });
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse((await cli(["list", "--json"], o)).stdout), []);
});

test("new scaffolds every type in both languages, and each deploys as generated", async () => {
  using data = tempDir();
  using src = tempDir();
  const o = { dataDir: data.path, cwd: src.path };
  const types = ["Image2Image", "Image2Segmentation", "Image2Embedding", "Image2Alignment", "Segmentation2Segmentation", "Generic"];
  for (const type of types) {
    for (const lang of ["ts", "py"]) {
      const r = await cli(["new", `${lang}_${type}`, "--type", type, "--lang", lang], o);
      assert.equal(r.code, 0, r.stderr);
    }
  }
  const tsconfig = JSON.parse(fs.readFileSync(path.join(src.path, "ts_Image2Image", "tsconfig.json"), "utf8")) as { compilerOptions: { paths: { compox: string[] } } };
  assert.match(tsconfig.compilerOptions.paths.compox[0] ?? "", /dist\/sdk\/compox\.d\.ts$/);
  const deployed = await cli(["--json", "deploy-algorithms", ...fs.readdirSync(src.path)], o);
  const results = JSON.parse(deployed.stdout) as { ok: boolean; error?: unknown }[];
  assert.equal(results.length, 12);
  // Without a Python with numpy and h5py, Python scaffolds are refused with the fix; the rest deploy.
  const refused = results.filter((r) => !r.ok);
  if (needsPython) {
    assert.equal(refused.length, 6);
    assert.ok(refused.every((r) => /Python algorithms need a Python 3 with numpy and h5py/.test(JSON.stringify(r.error))), JSON.stringify(refused[0]));
  } else assert.deepEqual(refused, []);
  // The generated tsconfig type-checks the Runner against the shipped SDK declarations.
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  for (const type of types) {
    const r = spawnSync(process.execPath, [tsc, "-p", path.join(src.path, `ts_${type}`)], { encoding: "utf8" });
    assert.equal(r.status, 0, `${type}: ${r.stdout}`);
  }
  fs.appendFileSync(path.join(src.path, "ts_Image2Image", "Runner.ts"), 'const oops: number = "not a number";\n');
  const broken = spawnSync(process.execPath, [tsc, "-p", path.join(src.path, "ts_Image2Image")], { encoding: "utf8" });
  assert.match(broken.stdout, /Runner\.ts.*error TS2322/);
  const again = await cli(["new", "ts_Generic", "--type", "Generic"], o);
  assert.match(again.stderr, /already exists/);
  const badType = await cli(["new", "x", "--type", "Image2Sound"], o);
  assert.notEqual(badType.code, 0);
  assert.match(badType.stderr, /Allowed choices are Image2Image/);
});

test("--help works on every command", async () => {
  for (const cmd of [[], ["deploy-algorithms"], ["list"], ["export"], ["remove"], ["new"]]) {
    const r = await cli([...cmd, "--help"], { dataDir: "/nonexistent", cwd: "/" });
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: compox/);
  }
});

test("the built npm bin runs end to end (npm run build first)", () => {
  using data = tempDir();
  using src = tempDir();
  const bin = path.join(root, "bin", "compox.mjs");
  assert.ok(fs.existsSync(path.join(root, "dist", "cli.mjs")), "dist/cli.mjs missing: run `npm run build`");
  tsAlgorithm(path.join(src.path, "demo"));
  const env = { ...process.env, COMPOX_DATA_DIR: data.path };
  const out = execFileSync(process.execPath, [bin, "deploy-algorithms", "demo"], { cwd: src.path, env, encoding: "utf8" });
  assert.match(out, /demo: deployed v1\.3/);
  const again = execFileSync(process.execPath, [bin, "deploy-algorithms", "demo"], { cwd: src.path, env, encoding: "utf8" });
  assert.match(again, /unchanged/);
  const failed = spawnSync(process.execPath, [bin, "remove", "demo/1"], { cwd: src.path, env, encoding: "utf8" });
  assert.equal(failed.status, 1);
  // A forced remove reads its confirmation from stdin.
  const forced = spawnSync(process.execPath, [bin, "remove", "demo/1", "--force"], { cwd: src.path, env, encoding: "utf8", input: "y\n" });
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(execFileSync(process.execPath, [bin, "list", "--json"], { env, encoding: "utf8" }).trim(), "[]");
});

test("deploy-algorithms of a zip with corrupted data: one clear line per problem, exit 1, no stack trace", async () => {
  using data = tempDir();
  using src = tempDir();
  const AdmZip = (await import("adm-zip")).default;
  const zip = new AdmZip();
  zip.addFile("pyproject.toml", Buffer.from('[project]\nname = "x"\nversion = "1.0"\n'.repeat(50)));
  zip.addFile("Runner.ts", Buffer.from("export class Runner {}\n".repeat(100)));
  const bytes = zip.toBuffer();
  const nameLength = bytes.readUInt16LE(26);
  for (let i = 32 + nameLength; i < 44 + nameLength; i++) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
  fs.writeFileSync(path.join(src.path, "bad.zip"), bytes);
  const r = await cli(["deploy-algorithms", "bad.zip"], { dataDir: data.path, cwd: src.path });
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /bad\.zip: .*is corrupt .*re-create the zip/);
  assert.doesNotMatch(r.stderr + r.stdout, /\n\s+at /, "no stack trace");
});

test("debug run: Compox's local debugging of a Python folder, outputs printed and saved", { skip: needsPython }, async () => {
  using data = tempDir();
  using src = tempDir();
  const algo = path.join(root, "src-main", "engine", "runtime", "__fixtures__", "compox", "cx_embedding");
  const npy = path.join(src.path, "stack.npy");
  // A 2×3×4 uint8 .npy (header padded to 64 bytes), i.e. two 3×4 slices.
  const header = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3, 4), }";
  const padded = header.padEnd(64 - 10 - 1, " ") + "\n";
  fs.writeFileSync(npy, Buffer.concat([Buffer.from([0x93]), Buffer.from("NUMPY"), Buffer.from([1, 0, padded.length, 0]), Buffer.from(padded), Buffer.from(Array.from({ length: 24 }, (_, i) => i))]));
  const r = await cli(["debug", "run", "--algo", algo, "--data", "stack.npy", "--out", "results"], { dataDir: data.path, cwd: src.path });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /output 1 \(.*\): features: float32 \[3\], input_size: int64 \[2\], original_size: int64 \[2\]/);
  assert.deepEqual(fs.readdirSync(path.join(src.path, "results")), ["output_001.h5", "output_002.h5"]);
  const bad = await cli(["debug", "run", "--algo", algo, "--data", "nope.gif"], { dataDir: data.path, cwd: src.path });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Unsupported file type: \.gif/);
});

test("doctor in cluster mode checks each service and names what fails; a partial cluster is an error naming what is missing", async () => {
  using data = tempDir();
  using shared = tempDir();
  const o = { dataDir: data.path, cwd: data.path };
  const checked = await cli(["--json", "doctor", "--queue-url", "redis://127.0.0.1:1", "--database-url", "postgres://u:secret@127.0.0.1:1/none", "--storage-url", `file://${shared.path}`], o);
  const checks = JSON.parse(checked.stdout) as { name: string; ok: boolean; detail: string }[];
  const of = (name: string) => checks.find((c) => c.name === name)!;
  assert.equal(of("settings").detail, "valid: cluster mode");
  assert.equal(of("queue").ok, false);
  assert.match(of("queue").detail, /redis:\/\/127\.0\.0\.1:1.*queue_url/);
  assert.equal(of("database").ok, false);
  assert.match(of("database").detail, /postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none.*database_url/);
  assert.ok(!checked.stdout.includes("secret"), "no password in the report");
  assert.deepEqual([of("storage").ok, of("storage").detail], [true, `folder ${shared.path} answers`]);
  assert.equal(checked.code, 1);
  const partial = await cli(["serve", "--queue-url", "redis://127.0.0.1:1"], o);
  assert.equal(partial.code, 1);
  assert.match(partial.stderr, /database_url: is missing: queue_url is set, and cluster mode needs all three/);
  assert.match(partial.stderr, /storage_url: is missing/);
});

test("compox run writes each output as HDF5, a TIFF of its values in their own type, and a PNG picture of a 2-D key", async () => {
  using data = tempDir();
  using src = tempDir();
  const o = { dataDir: data.path, cwd: src.path };
  writeFiles(path.join(src.path, "third"), {
    "pyproject.toml": `[project]\nname = "third"\nversion = "1.0.0"\n\n[tool.compox]\nalgorithm_type = "Image2Image"\ndescription = "divides by 3"\n`,
    "Runner.ts": 'import { Image2ImageRunner } from "compox";\nexport class Runner extends Image2ImageRunner { inference(x) { return { dtype: "float32", shape: x.shape, data: Float32Array.from(x.data, (v) => v / 3) }; } }\n',
  });
  assert.equal((await cli(["deploy-algorithms", "third"], o)).code, 0);
  const input = path.join(src.path, "in.h5");
  await writeHdf5(input, { image: { dtype: "uint8", shape: [2, 3], data: Uint8Array.from([0, 1, 2, 3, 4, 5]) } });
  const r = await cli(["run", "third", "in.h5", "--out", "out"], o);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fs.readdirSync(path.join(src.path, "out")).sort(), ["output-001-image.png", "output-001-image.tif", "output-001.h5"]);
  const pages = [];
  for await (const p of (await openImage(fs.readFileSync(path.join(src.path, "out", "output-001-image.tif")), "x.tif", { maxPages: 2, maxPixels: 100 })).pages) pages.push(p);
  assert.deepEqual([pages.length, pages[0]?.dtype, [...(pages[0]?.data as Float32Array)]], [1, "float32", [0, 1, 2, 3, 4, 5].map((v) => Math.fround(v / 3))]);
});
