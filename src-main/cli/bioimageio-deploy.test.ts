// The real bioimage.io package deployed where users deploy: the CLI (folder and zip) and the HTTP
// API (deploy/local, deploy/upload), for each of its three descriptions (spec 0.5.4, 0.4.9 and
// 0.4.0); its model card and cover over HTTP; a corrupted file refused on every path.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { DeployResult } from "../contract/algorithm.js";
import { zipFiles } from "../engine/deploy/module-zip.js";
import { BIOIMAGEIO_FIXTURE } from "../engine/testing/bioimageio.js";
import { tempDir, tsAlgorithm } from "../engine/testing/temp-algorithm.js";
import { apiApp, statusOf } from "../server/testing/api-app.js";
import { runCli } from "./program.js";

const { dir: FIXTURE, skip } = BIOIMAGEIO_FIXTURE;

/** A copy of the package holding only `description`, as `bioimageio.yaml` (its weights.onnx changed when `corrupt`); and a zip of that copy. */
function packageWith(into: string, description: string, corrupt = false): { folder: string; zip: string } {
  const folder = path.join(into, `${description.replace(/\.yaml$/, "")}${corrupt ? "-corrupt" : ""}`);
  fs.mkdirSync(folder);
  for (const f of fs.readdirSync(FIXTURE)) if (!f.endsWith(".yaml")) fs.copyFileSync(path.join(FIXTURE, f), path.join(folder, f));
  fs.copyFileSync(path.join(FIXTURE, description), path.join(folder, "bioimageio.yaml"));
  if (corrupt) fs.appendFileSync(path.join(folder, "weights.onnx"), "x");
  const zip = `${folder}.zip`;
  fs.writeFileSync(zip, zipFiles(fs.readdirSync(folder).map((f) => ({ path: f, content: fs.readFileSync(path.join(folder, f)) }))));
  return { folder, zip };
}

/** `compox deploy-algorithms --json <target>` on `dataDir`: its exit code and results. */
async function deployWithCli(dataDir: string, target: string) {
  let stdout = "";
  const code = await runCli(["deploy-algorithms", "--json", target], { stdout: (t) => void (stdout += t), stderr: () => {}, readLine: async () => "", env: { COMPOX_DATA_DIR: dataDir }, cwd: path.dirname(target) });
  return { code, results: JSON.parse(stdout) as ({ ok: true; result: DeployResult } | { ok: false; error: { detail: string; code: string } })[] };
}

const DESCRIPTIONS = ["bioimageio.yaml", "v0_4_9.bioimageio.yaml", "v0_4_0.bioimageio.yaml"];

test("each description of the real package deploys verified with the CLI, from its folder and its zip", { skip, timeout: 300_000 }, async () => {
  using work = tempDir();
  using data = tempDir();
  for (const description of DESCRIPTIONS) {
    const { folder, zip } = packageWith(work.path, description);
    const first = await deployWithCli(data.path, folder);
    assert.equal(first.code, 0, JSON.stringify(first.results));
    const [deployed] = first.results;
    assert.ok(deployed?.ok && deployed.result.changed, `${description}: deployed`);
    const again = await deployWithCli(data.path, zip);
    const [same] = again.results;
    assert.ok(same?.ok && same.result.outcome === "unchanged", `${description}: its zip is the same package`);
  }
  const corrupt = await deployWithCli(data.path, packageWith(work.path, "bioimageio.yaml", true).zip);
  assert.equal(corrupt.code, 1);
  const [refused] = corrupt.results;
  assert.ok(refused && !refused.ok);
  assert.match(refused.error.detail, /bioimageio\.yaml: weights\.onnx: weights\.onnx has sha256 [0-9a-f]{64}, the description says/);
  // The spec's own invalid example: refused naming the field, with the model_invalid code.
  const invalid = await deployWithCli(data.path, packageWith(work.path, "invalid_v0_4_0_duplicate_tensor_names.bioimageio.yaml").folder);
  const [problem] = invalid.results;
  assert.ok(invalid.code === 1 && problem && !problem.ok);
  assert.equal(problem.error.code, "model_invalid");
  assert.match(problem.error.detail, /^bioimageio\.yaml: inputs\/outputs: the tensor name "\w+" is used twice/);
});

test("over HTTP: deploy/local and deploy/upload for each description, the model card and its cover; a corrupted weights file is refused naming it", { skip, timeout: 300_000 }, async () => {
  await using s = await apiApp();
  using work = tempDir();
  for (const description of DESCRIPTIONS) {
    const { folder, zip } = packageWith(work.path, description);
    const local = await s.client.call("deployLocal", { query: { path: folder } });
    assert.ok(local.changed, `${description}: deployed from its folder`);
    const upload = await s.client.deployZip(new Uint8Array(fs.readFileSync(zip)));
    assert.equal(upload.outcome, "unchanged", `${description}: its zip is the same package`);
    const card = await s.client.modelCard(local.algorithm_name, local.algorithm_major_version);
    assert.equal(card.format_version, description === "bioimageio.yaml" ? "0.5.4" : description.slice(1, 6).replaceAll("_", "."));
    assert.equal(card.verification.passed, true);
  }
  const cover = await s.req("GET", "/api/v0/algorithm/unet_2d_nuclei_broad/0/model-card/cover/0");
  assert.equal(cover.status, 200);
  assert.equal(cover.headers.get("content-type"), "image/png");
  assert.deepEqual(Buffer.from(await cover.arrayBuffer()), fs.readFileSync(path.join(FIXTURE, "cover0.png")));
  await s.client.call("deployLocal", { query: { path: tsAlgorithm(path.join(work.path, "demo")) } });
  assert.equal(await statusOf(s.client.modelCard("demo", 1)), "404 model_card_not_found", "an algorithm that is not an imported model");

  const { zip } = packageWith(work.path, "v0_4_9.bioimageio.yaml", true);
  const refused = await s.req("POST", "/api/v0/deploy/upload", { body: new Uint8Array(fs.readFileSync(zip)) });
  assert.equal(refused.status, 422);
  assert.match(((await refused.json()) as { detail: string }).detail, /weights\.onnx has sha256/);
  const forced = await s.req("POST", "/api/v0/deploy/upload?force=true", { body: new Uint8Array(fs.readFileSync(zip)) });
  assert.equal(forced.status, 200, "force deploys it, marked unverified");
  const card = await s.client.modelCard(((await forced.json()) as DeployResult).algorithm_name, 0);
  assert.match(card.verification.problem!, /weights\.onnx has sha256/);
});
