import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import AdmZip from "adm-zip";
import { ConfigError, DeployError, type CompoxError } from "../../contract/errors.js";
import { createEngine } from "../engine.js";
import { pyproject, tempDir, tsAlgorithm, writeFiles } from "../testing/temp-algorithm.js";

async function setup() {
  const data = tempDir("compox-data-");
  const src = tempDir("compox-src-");
  const engine = await createEngine({ dataDir: data.path });
  return {
    engine,
    src: src.path,
    dataDir: data.path,
    async [Symbol.asyncDispose]() {
      await engine.close();
      data[Symbol.dispose]();
      src[Symbol.dispose]();
    },
  };
}

function blobFiles(dataDir: string): string[] {
  const root = path.join(dataDir, "blobs");
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.parentPath.endsWith("tmp"))
    .map((d) => d.name);
}

test("the versioning table: 3 → unchanged → code 4 → asset 5 → metadata still 5 → new major", async () => {
  await using t = await setup();
  const dir = tsAlgorithm(path.join(t.src, "demo"));
  const first = await t.engine.deploy(dir);
  assert.equal(first.outcome, "created");
  assert.equal(first.algorithm_minor_version, "3");
  assert.equal(first.changed, true);

  const again = await t.engine.deploy(dir);
  assert.equal(again.outcome, "unchanged");
  assert.equal(again.changed, false);
  assert.equal(again.algorithm_id, first.algorithm_id);
  assert.equal(again.algorithm_minor_version, "3");

  writeFiles(dir, { "helpers/scale.ts": "export function scale(x: unknown) { return [x]; }\n" });
  const code = await t.engine.deploy(dir);
  assert.deepEqual([code.outcome, code.algorithm_minor_version], ["new_minor", "4"]);

  writeFiles(dir, { "files/weights.bin": Buffer.from([9, 9]) });
  const asset = await t.engine.deploy(dir);
  assert.deepEqual([asset.outcome, asset.algorithm_minor_version], ["new_minor", "5"]);

  writeFiles(dir, { "pyproject.toml": pyproject("demo", "1.3.0").replace("test algorithm", "better words") });
  const meta = await t.engine.deploy(dir);
  assert.deepEqual([meta.outcome, meta.algorithm_minor_version, meta.changed], ["metadata_updated", "5", false]);
  const rec = (await t.engine.getAlgorithm("DEMO", 1));
  assert.equal(rec.algorithm_description, "better words");
  assert.deepEqual(rec.algorithm_minor_versions, ["3", "4", "5"]);
  assert.equal(rec.latest_algorithm_minor_version, "5");

  writeFiles(dir, { "pyproject.toml": pyproject("demo", "2.0.0") });
  const major = await t.engine.deploy(dir);
  assert.equal(major.outcome, "created");
  assert.notEqual(major.algorithm_id, first.algorithm_id);
  assert.equal(major.algorithm_minor_version, "0");
  assert.equal((await t.engine.listAlgorithms()).length, 2);
});

test("a name differing only in case is the same line", async () => {
  await using t = await setup();
  const a = await t.engine.deploy(tsAlgorithm(path.join(t.src, "a"), "Demo", "1.0"));
  const b = await t.engine.deploy(tsAlgorithm(path.join(t.src, "b"), "demo", "1.0"));
  assert.equal(b.algorithm_id, a.algorithm_id);
  assert.equal(b.changed, false); // only the pyproject text differs: metadata
  assert.equal((await t.engine.getAlgorithm("dEmO", 1)).algorithm_name, "Demo");
});

test("two algorithms sharing a 50 MB asset store it once", async () => {
  await using t = await setup();
  const big = Buffer.alloc(50 * 1024 * 1024, 7);
  const one = tsAlgorithm(path.join(t.src, "one"), "one");
  const two = tsAlgorithm(path.join(t.src, "two"), "two");
  writeFiles(one, { "files/big.bin": big });
  writeFiles(two, { "files/nested/same.bin": big });
  await t.engine.deploy(one);
  await t.engine.deploy(two);
  const sizes = blobFiles(t.dataDir).map((name) => fs.statSync(path.join(t.dataDir, "blobs", name.slice(0, 2), name)).size);
  assert.equal(sizes.filter((s) => s === big.length).length, 1);
  // Both algorithms' module zips are identical too (same sources): one module blob.
  assert.equal(blobFiles(t.dataDir).length, 3); // module zip + weights.bin + big.bin
});

test("export → import round-trips to the same module and assets (unchanged)", async () => {
  await using t = await setup();
  const first = await t.engine.deploy(tsAlgorithm(path.join(t.src, "demo")));
  const zip = await t.engine.exportAlgorithm("demo", 1);
  assert.equal(zip.filename, "demo-1.3.zip");
  const names = new AdmZip(zip.bytes).getEntries().map((e) => e.entryName).sort();
  assert.deepEqual(names, ["Runner.ts", "files/weights.bin", "helpers/scale.ts", "pyproject.toml"]);
  const back = await t.engine.deployZip(zip.bytes, zip.filename);
  assert.equal(back.outcome, "unchanged");
  assert.equal(back.algorithm_id, first.algorithm_id);

  // Into a fresh data directory it creates the same line at the same minor.
  using other = tempDir("compox-data2-");
  const engine2 = await createEngine({ dataDir: other.path });
  const zipFile = path.join(t.src, "demo.zip");
  fs.writeFileSync(zipFile, zip.bytes);
  const imported = await engine2.deploy(zipFile);
  assert.deepEqual([imported.outcome, imported.algorithm_minor_version], ["created", "3"]);
  assert.deepEqual((await engine2.exportAlgorithm("demo", 1)).bytes, zip.bytes);
  await engine2.close();
});

test("a zip wrapping the algorithm in one folder deploys", async () => {
  await using t = await setup();
  const zip = new AdmZip();
  zip.addFile("demo/pyproject.toml", Buffer.from(pyproject("demo", "1.0")));
  zip.addFile("demo/Runner.js", Buffer.from("export class Runner {}"));
  const r = await t.engine.deployZip(zip.toBuffer());
  assert.equal(r.outcome, "created");
});

test("zip-slip: '..' entries and absolute paths are refused, nothing written", async () => {
  await using t = await setup();
  for (const bad of ["../evil.txt", "/etc/evil", "files/../../evil", "C:/evil.txt", "..\\evil.txt"]) {
    const zip = new AdmZip();
    zip.addFile("pyproject.toml", Buffer.from(pyproject("demo", "1.0")));
    zip.addFile("Runner.js", Buffer.from("export class Runner {}"));
    zip.addFile("placeholder", Buffer.from("x"));
    // adm-zip normalizes names on add; set the raw name to what an attacker's zip would carry.
    const entry = zip.getEntry("placeholder");
    assert.ok(entry);
    entry.entryName = bad;
    await assert.rejects(t.engine.deployZip(zip.toBuffer(), "evil.zip"), (err: DeployError) => {
      assert.ok(err instanceof DeployError);
      assert.match(err.message, /unsafe entry/);
      assert.equal(err.problems[0]?.path, bad);
      return true;
    });
  }
  assert.deepEqual((await t.engine.listAlgorithms()), []);
  assert.ok(!fs.existsSync(path.join(path.dirname(t.src), "evil.txt")));
});

test("export refuses non-exportable algorithms; remove refuses non-removable ones unless forced", async () => {
  await using t = await setup();
  const r = await t.engine.deploy(tsAlgorithm(path.join(t.src, "demo"), "demo", "1.0", "exportable = false"));
  await assert.rejects(t.engine.exportAlgorithm("demo", 1), (e: CompoxError) => e.code === "algorithm_not_exportable" && e.status === 403);
  await assert.rejects(() => t.engine.removeAlgorithm(r.algorithm_id), (e: CompoxError) => e.code === "algorithm_not_removable" && /--force/.test(e.message));
  await t.engine.removeAlgorithm(r.algorithm_id, { force: true });
  assert.deepEqual((await t.engine.listAlgorithms()), []);
  // Removing the only user of its blobs frees them.
  assert.deepEqual(blobFiles(t.dataDir), []);
});

test("removing the latest minor makes the previous one latest", async () => {
  await using t = await setup();
  const dir = tsAlgorithm(path.join(t.src, "demo"), "demo", "1.0", "removable = true");
  const r = await t.engine.deploy(dir);
  writeFiles(dir, { "files/weights.bin": "v2" });
  await t.engine.deploy(dir);
  assert.equal((await t.engine.getAlgorithm("demo", 1)).latest_algorithm_minor_version, "1");
  await t.engine.removeAlgorithm(r.algorithm_id, { minor: 1 });
  const rec = (await t.engine.getAlgorithm("demo", 1));
  assert.deepEqual([rec.latest_algorithm_minor_version, rec.algorithm_minor_versions], ["0", ["0"]]);
  // As Compox: removing a minor that does not exist is a no-op, not an error.
  assert.deepEqual((await t.engine.removeAlgorithm(r.algorithm_id, { minor: 7 })), { removed_minor_versions: [] });
  assert.deepEqual((await t.engine.getAlgorithm("demo", 1)).algorithm_minor_versions, ["0"]);
});

/** Deploys a folder built from `files` and returns the error's problems. */
async function deployProblems(t: Awaited<ReturnType<typeof setup>>, files: Record<string, string>): Promise<{ err: ConfigError; text: string }> {
  const dir = writeFiles(fs.mkdtempSync(path.join(t.src, "bad-")), files);
  try {
    await t.engine.deploy(dir);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.deepEqual((await t.engine.listAlgorithms()), [], "nothing half-written");
    return { err, text: err.message };
  }
  throw new Error("deploy should have failed");
}

const runner = "export class Runner {}\n";

test("bad folders get one clear error naming file, field and fix", async () => {
  await using t = await setup();
  const cases: [string, Record<string, string>, RegExp][] = [
    ["missing pyproject", { "Runner.js": runner }, /pyproject\.toml: missing: every algorithm folder needs/],
    ["missing [project]", { "pyproject.toml": "[tool.compox]\n", "Runner.js": runner }, /pyproject\.toml: project: the \[project\] table with name and version is required/],
    ["missing version", { "pyproject.toml": '[project]\nname = "x"\n', "Runner.js": runner }, /project\.version: is required: add version = "1\.0\.0" under \[project\]/],
    ["version without minor", { "pyproject.toml": pyproject("x", "1"), "Runner.js": runner }, /project\.version: must be "major\.minor"/],
    ["unknown type", { "pyproject.toml": pyproject("x", "1.0").replace("Image2Image", "Image2Sound"), "Runner.js": runner }, /tool\.compox\.algorithm_type: must be one of Image2Image/],
    ["two entry points", { "pyproject.toml": pyproject("x", "1.0"), "Runner.ts": runner, "Runner.py": "class Runner: pass\n" }, /Runner\.py, Runner\.ts: 2 entry points: keep exactly one/],
    ["no entry point", { "pyproject.toml": pyproject("x", "1.0"), "main.ts": runner }, /no entry point: add exactly one of Runner\.ts, Runner\.js or Runner\.py/],
    ["no Runner export", { "pyproject.toml": pyproject("x", "1.0"), "Runner.ts": "export class Other {}\n" }, /Runner\.ts: does not export Runner/],
    ["python without class Runner", { "pyproject.toml": pyproject("x", "1.0"), "Runner.py": "class Other: pass\n" }, /Runner\.py: does not define class Runner/],
    ["unbundlable import", { "pyproject.toml": pyproject("x", "1.0"), "Runner.ts": 'import _ from "lodash";\nexport class Runner { x = _; }\n' }, /Runner\.ts: line 1: cannot import "lodash": only Node built-ins and the packages/],
    ["missing relative import", { "pyproject.toml": pyproject("x", "1.0"), "Runner.ts": 'import { a } from "./nope.js";\nexport class Runner { x = a; }\n' }, /cannot import "\.\/nope\.js": no such module file/],
    ["syntax error", { "pyproject.toml": pyproject("x", "1.0"), "Runner.ts": "export class Runner {\n" }, /Runner\.ts: line \d+: Expected /],
    ["bad TOML", { "pyproject.toml": "[project\nname=", "Runner.js": runner }, /pyproject\.toml: line 1, column \d+: not valid TOML/],
  ];
  for (const [label, files, expected] of cases) {
    const { text } = await deployProblems(t, files).catch((e: Error) => { throw new Error(`${label}: ${e.message}`); });
    assert.match(text, expected, label);
  }
});

test("config errors and structural errors are all reported together", async () => {
  await using t = await setup();
  const { err } = await deployProblems(t, {
    "pyproject.toml": pyproject("x", "1").replace("Image2Image", "Nope"),
    "Runner.ts": 'import "lodash";\nexport class Runner {}\n',
  });
  const paths = err.problems.map((p) => `${p.file}:${p.path}`);
  assert.ok(paths.includes("pyproject.toml:project.version"));
  assert.ok(paths.includes("pyproject.toml:tool.compox.algorithm_type"));
  assert.ok(paths.some((p) => p.startsWith("Runner.ts:")));
});

test("symlinks leaving the folder and unreadable files are errors; links inside are followed", async () => {
  await using t = await setup();
  using outside = tempDir();
  fs.writeFileSync(path.join(outside.path, "secret.txt"), "s");
  const dir = tsAlgorithm(path.join(t.src, "links"));
  fs.symlinkSync(path.join(outside.path, "secret.txt"), path.join(dir, "files", "secret.txt"));
  await assert.rejects(t.engine.deploy(dir), /files\/secret\.txt: symlink leaves the algorithm folder .* copy the file into the folder instead/);
  fs.rmSync(path.join(dir, "files", "secret.txt"));
  fs.symlinkSync(path.join(dir, "files", "gone.bin"), path.join(dir, "files", "dangling.bin"));
  await assert.rejects(t.engine.deploy(dir), /files\/dangling\.bin: cannot read/);
  fs.rmSync(path.join(dir, "files", "dangling.bin"));
  fs.symlinkSync(path.join(dir, "files", "weights.bin"), path.join(dir, "files", "alias.bin"));
  await t.engine.deploy(dir);
  const names = new AdmZip((await t.engine.exportAlgorithm("demo", 1)).bytes).getEntries().map((e) => e.entryName);
  assert.ok(names.includes("files/alias.bin"));
});

test("dot-files, node_modules, __pycache__ and *.pyc are neither module nor asset", async () => {
  await using t = await setup();
  const dir = tsAlgorithm(path.join(t.src, "demo"));
  const first = await t.engine.deploy(dir);
  writeFiles(dir, { ".git/config": "x", "node_modules/x/index.js": "x", "__pycache__/a.pyc": "x", "files/b.pyc": "x", ".DS_Store": "x" });
  const again = await t.engine.deploy(dir);
  assert.equal(again.outcome, "unchanged");
  assert.equal(again.algorithm_id, first.algorithm_id);
});

test("deprecated keys and missing descriptions come back as warnings, not errors", async () => {
  await using t = await setup();
  const r = await t.engine.deploy(tsAlgorithm(path.join(t.src, "demo"), "demo", "1.0", "hash_module = true\nfavourite_colour = 'blue'"));
  const paths = r.warnings.map((w) => w.path);
  assert.ok(paths.includes("tool.compox.hash_module"));
  assert.ok(paths.includes("tool.compox.favourite_colour"));
});

test("check_importable loads a TS module at deploy time and fails the deploy when it throws", async () => {
  await using t = await setup();
  const ok = tsAlgorithm(path.join(t.src, "ok"), "ok", "1.0", "check_importable = true");
  writeFiles(ok, { "Runner.ts": 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async loadAssets() { this.w = await this.fetchAsset("files/weights.bin"); } }\n' });
  assert.equal((await t.engine.deploy(ok)).outcome, "created");
  const bad = tsAlgorithm(path.join(t.src, "bad"), "bad", "1.0", "check_importable = true");
  writeFiles(bad, { "Runner.ts": 'import { BaseRunner } from "compox";\nthrow new Error("missing calibration table");\nexport class Runner extends BaseRunner {}\n' });
  await assert.rejects(t.engine.deploy(bad), /Runner\.ts: check_importable: loading the module failed: missing calibration table/);
  await assert.rejects(() => t.engine.getAlgorithm("bad", 1), /not found/);
});

test("redeploying an unchanged folder answers from the store without loading the module again; any change takes the full path", async () => {
  await using t = await setup();
  const marker = path.join(t.src, "imported");
  const dir = tsAlgorithm(path.join(t.src, "quick"), "quick", "1.0", "check_importable = true");
  writeFiles(dir, { "Runner.ts": `import fs from "node:fs";\nimport { BaseRunner } from "compox";\nfs.writeFileSync(${JSON.stringify(marker)}, "x");\nexport class Runner extends BaseRunner {}\n` });
  assert.equal((await t.engine.deploy(dir)).outcome, "created");
  assert.ok(fs.existsSync(marker), "the first deploy loads the module (check_importable)");
  fs.rmSync(marker);
  const again = await t.engine.deploy(dir);
  assert.deepEqual([again.outcome, again.algorithm_minor_version, again.changed], ["unchanged", "0", false]);
  assert.ok(!fs.existsSync(marker), "an unchanged redeploy does not load it again");
  // An asset of the same size but other bytes is a change.
  const weights = path.join(dir, "files", "weights.bin");
  const bytes = fs.readFileSync(weights);
  bytes[0] = bytes[0]! ^ 0xff;
  fs.writeFileSync(weights, bytes);
  assert.deepEqual([(await t.engine.deploy(dir)).outcome, fs.existsSync(marker)], ["new_minor", true]);
  // A pyproject that differs only in a comment is a metadata update, decided on the full path.
  fs.appendFileSync(path.join(dir, "pyproject.toml"), "\n# reviewed\n");
  assert.equal((await t.engine.deploy(dir)).outcome, "metadata_updated");
  assert.equal((await t.engine.deploy(dir)).outcome, "unchanged");
});
