import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import AdmZip from "adm-zip";
import { CompoxClient, ApiError } from "../contract/client.js";
import { isTerminal, type ExecutionRecord } from "../contract/records.js";
import { pyproject, tempDir, tsAlgorithm, writeFiles } from "../engine/testing/temp-algorithm.js";
import { PYTHON } from "../engine/testing/system-needs.js";
import { Hono } from "hono";
import { ENDPOINTS, fillPath } from "../contract/endpoints.js";
import { apiApp as setup, statusOf } from "./testing/api-app.js";
import { createRouter } from "./router.js";

const h5 = fileURLToPath(new URL("../engine/datasets/__fixtures__/h5py_all_dtypes.h5", import.meta.url));
async function finish(client: CompoxClient, id: string): Promise<ExecutionRecord> {
  for (;;) {
    const rec = await client.getExecution(id);
    if (isTerminal(rec.status)) return rec;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const IDENTITY = `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner { inference(x, args) { this.logMessage("gain " + args.gain); this.setProgress(0.5); return x; } }`;
const GAIN = `additional_parameters = [ { name = "gain", config = { type = "float_range", default = 1.0, min = 0.0, max = 2.0, step = 0.1 } } ]`;

test("GET / identifies the server; browsers go to /ui/; unknown paths are 404 with detail", async () => {
  await using s = await setup();
  const info = await s.client.info();
  assert.ok(info.tags.includes("compox"));
  assert.equal(info.cuda_available, null);
  assert.equal(info.cuda_capable_devices_count, null);
  const browser = await s.req("GET", "/", { headers: { accept: "text/html" } });
  assert.equal(browser.status, 302);
  assert.equal(browser.headers.get("location"), "/ui/");
  const one = await s.req("GET", "/api/v0/algorithm/foo");
  assert.equal(one.status, 404);
  assert.equal(((await one.json()) as { detail: string }).detail, "Not Found");
});

test("algorithms: 404 when none deployed, filters, case-insensitive names, versions as strings", async () => {
  await using s = await setup();
  const r = await s.req("GET", "/api/v0/algorithm/all");
  assert.equal(r.status, 404);
  await s.deploy("Denoise", IDENTITY, { extra: `${GAIN}\ntags = ["denoising", "fast"]\nsupported_devices = ["cpu", "gpu"]` });
  await s.deploy("seg", IDENTITY, { type: "Image2Segmentation", extra: 'tags = ["segmentation"]' });
  const all = await s.client.listAlgorithms();
  assert.equal(all.length, 2);
  assert.equal(typeof all[0]?.algorithm_version, "string");
  assert.equal(typeof all[0]?.latest_algorithm_minor_version, "string");
  assert.deepEqual((await s.client.listAlgorithms({ positive_tag: ["denoising", "fast"] })).map((a) => a.algorithm_name), ["Denoise"]);
  assert.deepEqual((await s.client.listAlgorithms({ negative_tag: ["denoising"] })).map((a) => a.algorithm_name), ["seg"]);
  assert.deepEqual((await s.client.listAlgorithms({ algorithm_type: "image2segmentation" })).map((a) => a.algorithm_name), ["seg"]);
  assert.deepEqual((await s.client.listAlgorithms({ supported_devices: ["GPU"] })).map((a) => a.algorithm_name), ["Denoise"]);
  const one = await s.client.getAlgorithm("dEnOiSe", 1);
  assert.equal(one.additional_parameters[0]?.displayed_name, "Gain");
  assert.equal(await statusOf(s.client.getAlgorithm("denoise", 2)), "404 algorithm_not_found");
  assert.equal(await statusOf(s.client.getAlgorithm("denoise", "x")), "404 algorithm_not_found");
});

test("deploy/local, deploy/upload, export (403 when not exportable), delete (400 not removable, 404)", async () => {
  await using s = await setup();
  using src = tempDir();
  const dir = tsAlgorithm(path.join(src.path, "demo"), "demo", "1.2", "removable = true");
  const first = await s.client.deployLocal(dir);
  assert.deepEqual([first.algorithm_name, first.algorithm_major_version, first.algorithm_minor_version, first.changed], ["demo", "1", "2", true]);
  assert.equal((await s.client.deployLocal(dir)).changed, false);
  const bad = writeFiles(path.join(src.path, "bad"), { "pyproject.toml": pyproject("bad", "1"), "Runner.js": "export class Runner {}" });
  const err = await s.client.deployLocal(bad).catch((e: ApiError) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 400);
  assert.match(err.message, /project\.version/);
  assert.ok(Array.isArray(err.details?.errors));

  const zip = await s.req("GET", "/api/v0/algorithm/demo/1/export");
  assert.equal(zip.status, 200);
  assert.equal(zip.headers.get("content-type"), "application/zip");
  const bytes = Buffer.from(await zip.arrayBuffer());
  assert.ok(new AdmZip(bytes).getEntry("pyproject.toml"));
  assert.equal((await s.client.deployZip(new Uint8Array(bytes))).changed, false);
  const evil = new AdmZip();
  evil.addFile("x", Buffer.from("x"));
  const entry = evil.getEntry("x");
  if (entry) entry.entryName = "../evil";
  assert.equal(await statusOf(s.client.deployZip(new Uint8Array(evil.toBuffer()))), "400 deploy_failed");

  const secret = await s.client.deployLocal(tsAlgorithm(path.join(src.path, "secret"), "secret", "1.0", "exportable = false"));
  assert.equal((await s.req("GET", "/api/v0/algorithm/secret/1/export")).status, 403);
  assert.equal(await statusOf(s.client.removeAlgorithm(secret.algorithm_id)), "400 algorithm_not_removable");
  assert.equal(await statusOf(s.client.removeAlgorithm("00000000-0000-1000-8000-000000000000")), "404 algorithm_not_found");
  assert.equal(await statusOf(s.client.removeAlgorithm(first.algorithm_id)), "ok");
  assert.equal(await statusOf(s.client.getAlgorithm("demo", 1)), "404 algorithm_not_found");
});

test("files: raw HDF5 upload, download, info, list, delete twice; 422 invalid; 413 declared too large", async () => {
  await using s = await setup({ max_upload_mb: 1 });
  const { file_id } = await s.client.uploadFile(fs.readFileSync(h5));
  assert.match(file_id, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-/);
  assert.deepEqual(await s.client.downloadFile(file_id), new Uint8Array(fs.readFileSync(h5)));
  assert.deepEqual((await s.client.fileInfo(file_id)).keys.image, { shape: [3, 4], dtype: "uint8" });
  assert.deepEqual((await s.client.listFiles()).map((f) => f.file_id), [file_id]);
  const invalid = await s.req("POST", "/api/v0/files", { body: "not hdf5 at all" });
  assert.equal(invalid.status, 422);
  assert.equal(((await invalid.json()) as { detail: string }).detail, "The provided file is not a valid hdf5 file.");
  const truncated = await s.req("POST", "/api/v0/files", { body: fs.readFileSync(h5).subarray(0, 2000) });
  assert.equal(truncated.status, 422);
  const declared = await s.req("POST", "/api/v0/files", { body: "x", headers: { "content-length": String(5 * 2 ** 30) } });
  assert.equal(declared.status, 413);
  assert.match(((await declared.json()) as { detail: string }).detail, /max_upload_mb/);
  const actual = await s.req("POST", "/api/v0/files", { body: Buffer.alloc(2 * 2 ** 20) });
  assert.equal(actual.status, 413);
  assert.equal(await statusOf(s.client.deleteFile(file_id)), "ok");
  assert.equal(await statusOf(s.client.deleteFile(file_id)), "404 dataset_not_found");
  assert.equal((await s.req("GET", `/api/v0/files/${file_id}`)).status, 404);
});

test("the /api/v1 presigned-URL flow is served locally", async () => {
  await using s = await setup();
  const name = "6f1c2d3e-0000-1000-8000-00000000abcd";
  const { url } = (await (await s.req("GET", `/api/v1/files/${name}/upload-url`)).json()) as { url: string };
  assert.equal(url, `http://127.0.0.1:5481/api/v1/objects/${name}`);
  const put = await s.req("PUT", new URL(url).pathname, { body: fs.readFileSync(h5) });
  assert.equal(put.status, 200);
  assert.deepEqual((await s.client.fileInfo(name)).keys.image?.shape, [3, 4]);
  const dl = (await (await s.req("GET", `/api/v1/files/${name}/download-url`)).json()) as { url: string };
  const got = await s.req("GET", new URL(dl.url).pathname);
  assert.equal(Buffer.from(await got.arrayBuffer()).length, fs.statSync(h5).size);
  assert.equal((await s.req("DELETE", `/api/v1/files/${name}`)).status, 200);
  assert.equal((await s.req("GET", `/api/v1/files/${name}/download-url`)).status, 404);
  // As in Compox, any object name works and becomes the dataset id.
  const named = await s.req("PUT", "/api/v1/objects/slice%20001.h5", { body: fs.readFileSync(h5) });
  assert.equal(named.status, 200);
  assert.equal(((await named.json()) as { file_id: string }).file_id, "slice 001.h5");
  assert.deepEqual((await s.client.fileInfo("slice 001.h5")).keys.image?.shape, [3, 4]);
  assert.equal((await s.req("GET", "/api/v1/files/slice%20001.h5/download-url")).status, 200);
  assert.deepEqual(await (await s.req("DELETE", "/api/v1/files/slice%20001.h5")).json(), { detail: "File deleted successfully" });
  assert.equal((await s.req("GET", "/api/v1/files/invalid_file_name/download-url")).status, 404);
  assert.equal((await s.req("GET", "/api/v1/files/a%01b/upload-url")).status, 422);
});

test("execute: JSON without Content-Type, datasets checked before the algorithm, 422s, stop 400", async () => {
  await using s = await setup();
  const algorithmId = await s.deploy("ident", IDENTITY, { extra: GAIN });
  const [input] = await s.images(1);
  const post = (body: string) => s.req("POST", "/api/v0/execute-algorithm", { body });
  const missing = await post(JSON.stringify({ algorithm_id: "nope", input_dataset_ids: ["00000000-0000-1000-8000-000000000000"] }));
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { code: string }).code, "dataset_not_found");
  assert.equal((await post(JSON.stringify({ algorithm_id: "nope", input_dataset_ids: [input] }))).status, 404);
  assert.equal((await post("{not json")).status, 422);
  assert.equal((await post(JSON.stringify({ input_dataset_ids: [input] }))).status, 422);
  const bad = await post(JSON.stringify({ algorithm_id: algorithmId, input_dataset_ids: [input], additional_parameters: { gain: 5 } }));
  assert.equal(bad.status, 422);
  assert.match(((await bad.json()) as { detail: string }).detail, /gain: got 5; 5 is outside \[0, 2\]/);
  const ok = await post(JSON.stringify({ algorithm_id: algorithmId, input_dataset_ids: [input], additional_parameters: { gain: "0.5" } }));
  assert.equal(ok.status, 200);
  const { execution_id } = (await ok.json()) as { execution_id: string };
  const rec = await finish(s.client, execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  assert.equal(rec.additional_parameters.gain, 0.5);
  assert.equal(typeof rec.algorithm_minor_version, "string");
  assert.match(rec.time_started, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
  assert.equal(await statusOf(s.client.stopExecution(execution_id)), "400 execution_not_stoppable");
  assert.equal(await statusOf(s.client.getExecution("nope")), "404 execution_not_found");
  assert.equal(await statusOf(s.client.stopExecution("nope")), "404 execution_not_found");
  assert.deepEqual((await s.client.listExecutions({ algorithm_id: algorithmId })).map((e) => e.execution_id), [execution_id]);
});

test("10 concurrent executions all complete", async () => {
  await using s = await setup({ max_concurrent_executions: 3, max_loaded_runners: 3 });
  const algorithmId = await s.deploy("ident", IDENTITY, { extra: GAIN });
  const inputs = await s.images(2);
  const ids = await Promise.all(Array.from({ length: 10 }, () => s.client.execute({ algorithm_id: algorithmId, input_dataset_ids: inputs }).then((r) => r.execution_id)));
  const recs = await Promise.all(ids.map((id) => finish(s.client, id)));
  assert.deepEqual(recs.map((r) => r.status), Array(10).fill("COMPLETED"));
  assert.ok(recs.every((r) => r.output_dataset_ids.length === 2));
});

test("queue full → 503 naming max_queued_jobs", async () => {
  await using s = await setup({ max_concurrent_executions: 1, max_queued_jobs: 1 });
  const slow = await s.deploy("slow", `import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { async inference() { for (;;) { this.checkStop(); await new Promise((r) => setTimeout(r, 10)); } } }`, { type: "Generic" });
  const a = await s.client.execute({ algorithm_id: slow, input_dataset_ids: [] });
  const b = await s.client.execute({ algorithm_id: slow, input_dataset_ids: [] });
  const err = await s.client.execute({ algorithm_id: slow, input_dataset_ids: [] }).catch((e: ApiError) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.status, 503);
  assert.match(err.message, /max_queued_jobs/);
  // A full queue drains: the same request may succeed later (Compox's retryable flag).
  const raw = (await (await s.req("POST", "/api/v0/execute-algorithm", { body: JSON.stringify({ algorithm_id: slow, input_dataset_ids: [] }), headers: { "content-type": "application/json" } })).json()) as { code: string; retryable: boolean };
  assert.deepEqual([raw.code, raw.retryable], ["queue_full", true]);
  await s.client.stopExecution(b.execution_id);
  await s.client.stopExecution(a.execution_id);
  assert.equal((await finish(s.client, a.execution_id)).status, "STOPPED");
});

test("SSE: live events filtered by execution id, resumable with Last-Event-ID", async () => {
  await using s = await setup();
  const algorithmId = await s.deploy("ident", IDENTITY, { extra: GAIN });
  const [input] = await s.images(1);
  const seen: string[] = [];
  // From the first kept event: nothing is missed while the stream connects.
  const stop = s.client.events((e) => seen.push(`${e.id}:${e.type}`), { since: 0 });
  const { execution_id } = await s.client.execute({ algorithm_id: algorithmId, input_dataset_ids: [input ?? ""] });
  await finish(s.client, execution_id);
  for (let i = 0; i < 100 && !seen.some((x) => x.endsWith(":status") && seen.length >= 6); i++) await new Promise((r) => setTimeout(r, 20));
  stop();
  assert.ok(seen.some((x) => x.endsWith(":log")), seen.join());
  assert.ok(seen.some((x) => x.endsWith(":progress")), seen.join());
  // Resume: everything after the first event comes again.
  const firstId = Number(seen[0]?.split(":")[0]);
  const resumed = await s.req("GET", `/api/v0/events?execution_id=${execution_id}`, { headers: { "last-event-id": String(firstId) } });
  const reader = (resumed.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes('"status":"COMPLETED"')) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  assert.ok(!text.includes(`id: ${firstId}\n`), "events up to Last-Event-ID are not repeated");
  assert.match(text, /event: log/);
});

test("settings: GET shows data_dir; PATCH changes and saves editable ones, refuses others", async () => {
  await using s = await setup();
  const view = await s.client.getSettings();
  assert.equal(view.data_dir, s.dataDir);
  assert.ok(view.editable.includes("allowed_origins"));
  const changed = await s.client.patchSettings({ allowed_origins: ["http://example.test"], dataset_expiry_days: 3 });
  assert.deepEqual(changed.allowed_origins, ["http://example.test"]);
  assert.match(fs.readFileSync(path.join(s.dataDir, "settings.toml"), "utf8"), /dataset_expiry_days = 3/);
  // A partial patch leaves every other setting, in memory and in the file, as it was.
  fs.appendFileSync(path.join(s.dataDir, "settings.toml"), "# tuned by hand\nsession_max = 9\n");
  await s.client.patchSettings({ session_max: 9, max_concurrent_executions: 4 });
  const after = await s.client.patchSettings({ record_retention_days: 5 });
  assert.deepEqual([after.allowed_origins, after.dataset_expiry_days, after.max_concurrent_executions, after.session_max, after.record_retention_days], [["http://example.test"], 3, 4, 9, 5]);
  const file = fs.readFileSync(path.join(s.dataDir, "settings.toml"), "utf8");
  assert.match(file, /# tuned by hand\nsession_max = 9\n/);
  assert.match(file, /dataset_expiry_days = 3\n/);
  assert.doesNotMatch(file, /max_upload_mb/, "defaults are not written");
  assert.equal(await statusOf(s.client.patchSettings({ port: 1 } as never)), "422 invalid_request");
  assert.equal(await statusOf(s.client.patchSettings({ max_concurrent_executions: 0 })), "422 invalid_request");
});

test("settings: the Python interpreter is checked over the API, and changing it takes effect at once", async () => {
  await using s = await setup();
  // An interpreter that does not answer is refused, and nothing is saved.
  assert.equal(await statusOf(s.client.patchSettings({ python: "/no/such/python3" })), "422 invalid_request");
  assert.ok(!fs.existsSync(path.join(s.dataDir, "settings.toml")), "nothing saved");
  assert.equal(await statusOf(s.client.patchSettings({ allowed_origins: ["null"] })), "422 invalid_request");
  assert.equal(await statusOf(s.client.patchSettings({ allowed_origins: ["https://lab.example.org/path"] })), "422 invalid_request");
  if (PYTHON) {
    await s.client.patchSettings({ python: PYTHON });
    assert.equal((await s.client.checkPython()).chosen?.command, PYTHON);
  }
});

test("settings: the API token is never shown, only whether one is set; it can be replaced and removed", async () => {
  await using s = await setup();
  assert.equal((await s.client.getSettings()).api_token_set, false);
  const set = await s.client.patchSettings({ api_token: "s3cret-token" });
  assert.equal(set.api_token_set, true);
  const raw = await (await s.req("GET", "/api/v0/settings", { headers: { authorization: "Bearer s3cret-token" } })).text();
  assert.ok(!raw.includes("s3cret-token"), raw);
  const cleared = await (await s.req("PATCH", "/api/v0/settings", { body: JSON.stringify({ api_token: null }), headers: { authorization: "Bearer s3cret-token", "content-type": "application/json" } })).json();
  assert.equal((cleared as { api_token_set: boolean }).api_token_set, false);
});

test("settings: a python that does not answer, set in settings.toml, is reported with every candidate tried", async () => {
  await using s = await setup({ python: "/no/such/python3" });
  const missing = await s.client.checkPython();
  assert.equal(missing.chosen, null);
  assert.deepEqual(missing.tried.map((t) => t.command), ["/no/such/python3"]);
  assert.match(missing.tried[0]?.problem ?? "", /cannot run/);
});

test("openapi.json documents every route with schemas from zod", async () => {
  await using s = await setup();
  const doc = (await (await s.req("GET", "/openapi.json")).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
  assert.equal(doc.openapi, "3.1.0");
  for (const p of ["/api/v0/algorithm/all", "/api/v0/execute-algorithm", "/api/v0/executions/{id}", "/api/v0/files", "/api/v0/events", "/api/v1/files/{name}/upload-url", "/api/v0/settings"]) assert.ok(doc.paths[p], p);
  const exec = doc.paths["/api/v0/execute-algorithm"]?.post;
  assert.ok(JSON.stringify(exec?.requestBody).includes("input_dataset_ids"));
  assert.ok(exec?.responses["422"]);
});

test("the endpoint table is the route list: each endpoint is documented and answered by its handler, and a missing handler stops the start", async () => {
  await using s = await setup();
  const doc = (await (await s.req("GET", "/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
  assert.deepEqual(documented.sort(), Object.values(ENDPOINTS).map((e) => `${e.method} ${e.path}`).sort());
  for (const [name, e] of Object.entries(ENDPOINTS)) {
    const url = fillPath(e.path, { id: "x", name: "x", major: "1", deploy_id: "x", algorithm_id: "x", file: "x", n: "0" });
    const res = await s.req(e.method.toUpperCase(), url);
    const json = res.headers.get("content-type")?.includes("json");
    const body = json ? ((await res.json()) as { code?: string }) : {};
    if (!json) await res.body?.cancel(); // an event stream never ends by itself
    assert.notEqual(body.code, "not_found", `${name}: ${e.method} ${url} fell through to the 404 for unknown routes`);
  }
  const router = createRouter(new Hono());
  router.route("info", () => ({ name: "", tags: [], group: "", organization: "", domain: "", version: "", cuda_available: null, cuda_capable_devices_count: null }));
  assert.throws(() => router.assertComplete(), /endpoints without a handler: favicon, ui, uiFile, openapi, listAlgorithms/);
  assert.throws(() => router.route("info", () => new Response()), /registered twice/);
});

test("Compox 3.2 error bodies: retryable on every error, unexpected 500s hidden, //api/v0 paths served", async () => {
  await using s = await setup();
  const missing = await s.req("GET", "/api/v0/executions/00000000-0000-1000-8000-000000000000");
  assert.equal(missing.status, 404);
  assert.deepEqual(Object.keys((await missing.json()) as object).sort(), ["code", "detail", "retryable"]);
  const unknown = (await (await s.req("GET", "/api/v0/nope")).json()) as { retryable: boolean; code: string };
  assert.deepEqual([unknown.code, unknown.retryable], ["not_found", false]);
  const foreign = await s.app.request("/api/v0/algorithm/all", { headers: { host: "evil.example" } });
  assert.equal(((await foreign.json()) as { retryable: boolean }).retryable, false);
  // Compox's conftest joins its base URL and paths into http://host//api/v0/...
  const doubled = await s.req("GET", "http://127.0.0.1:5481//api/v0/algorithm/all");
  const single = await s.req("GET", "/api/v0/algorithm/all");
  assert.equal(((await doubled.json()) as { code: string }).code, "algorithm_not_found", "the route answered (no algorithms yet), not the 404 for unknown routes");
  assert.equal(doubled.status, single.status);
  // An unexpected exception: logged on the server, its message not shown to the client.
  const original = s.engine.listAlgorithms;
  (s.engine as { listAlgorithms: unknown }).listAlgorithms = () => {
    throw new Error("secret path /home/x/db");
  };
  const logged: unknown[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => void logged.push(a);
  try {
    const res = await s.req("GET", "/api/v0/algorithm/all");
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { detail: "Failed due to an internal server error.", code: "internal_error", retryable: false });
    assert.match(String(logged[0]), /secret path/);
  } finally {
    console.error = error;
    (s.engine as { listAlgorithms: unknown }).listAlgorithms = original;
  }
});

