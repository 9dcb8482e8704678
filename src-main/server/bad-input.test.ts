// The bad-input corpus: requests from a hostile-input audit, each answered with a 4xx that names
// the problem (and the setting or fix), never a 500. Add a case for every bug of this kind.
import assert from "node:assert/strict";
import fs from "node:fs";
import { Readable } from "node:stream";
import { test } from "node:test";
import AdmZip from "adm-zip";
import { pyproject, tempDir, writeFiles } from "../engine/testing/temp-algorithm.js";
import { testEngine } from "../engine/testing/test-engine.js";
import { createApi } from "./app.js";

const HOST = { host: "127.0.0.1:5481" };
const hostileH5 = (name: string) => () => fs.readFileSync(new URL(`../engine/datasets/__fixtures__/${name}`, import.meta.url));
const RUNNER = 'import { BaseRunner } from "compox";\nexport class Runner extends BaseRunner { inference() { return []; } }\n';

function algorithmZip(extra: Record<string, Buffer> = {}, toml = pyproject("demo", "1.0.0")): Buffer {
  const zip = new AdmZip();
  zip.addFile("pyproject.toml", Buffer.from(toml));
  zip.addFile("Runner.ts", Buffer.from(RUNNER));
  for (const [name, data] of Object.entries(extra)) zip.addFile(name, data);
  return zip.toBuffer();
}

interface Case {
  name: string;
  method: string;
  url: string | ((ids: Record<string, string>) => string);
  body?: Buffer | string | (() => Buffer | string);
  status: number;
  code: string;
  detail: RegExp;
}

test("the bad-input corpus: every case is a 4xx with its code and a message naming the fix", async () => {
  await using t = await testEngine({ settings: { max_unzipped_mb: 8, max_image_megapixels: 1, max_json_body_mb: 1, max_json_depth: 64 } });
  const app = createApi(t.engine);
  const empty = (await t.engine.createDataset({ image: { dtype: "uint8", shape: [0, 5], data: new Uint8Array(0) } })).file_id;
  const huge = (await t.engine.createDataset({ image: { dtype: "uint8", shape: [1100, 1000], data: new Uint8Array(1100 * 1000) } })).file_id;
  const algorithm = (await t.engine.deployZip(algorithmZip())).algorithm_id;
  const odd = (await t.engine.uploadDataset(Readable.from([hostileH5("odd_keys.h5")()]))).file_id;
  const ids = { empty, huge, algorithm, odd };
  const corrupt = algorithmZip({ "files/model.bin": Buffer.alloc(64 * 1024, 7) });
  const nameLength = corrupt.readUInt16LE(26);
  for (let i = 32 + nameLength; i < 48 + nameLength; i++) corrupt[i] = (corrupt[i] ?? 0) ^ 0x5a;
  let nested = "1";
  for (let i = 0; i < 10000; i++) nested = `[${nested}]`;
  using backslash = tempDir();
  writeFiles(backslash.path, { "pyproject.toml": pyproject("slashes", "1.0.0"), "Runner.ts": RUNNER, "files/a\\..\\..\\evil": "x" });

  const cases: Case[] = [
    { name: "zip with corrupted deflate data", method: "POST", url: "/api/v0/deploy/upload", body: corrupt, status: 400, code: "deploy_failed", detail: /upload\.zip: .* is corrupt \(.*\); re-create the zip/ },
    { name: "zip bomb: 16 KB unpacking past max_unzipped_mb", method: "POST", url: "/api/v0/deploy/upload", body: () => algorithmZip({ "zeros.bin": Buffer.alloc(16 * 2 ** 20) }), status: 413, code: "limit_exceeded", detail: /setting max_unzipped_mb/ },
    { name: "zip bomb within the size limits: 1000:1", method: "POST", url: "/api/v0/deploy/upload", body: () => algorithmZip({ "zeros.bin": Buffer.alloc(4 * 2 ** 20) }), status: 413, code: "limit_exceeded", detail: /zeros\.bin unpacks to more than 200 times its compressed size/ },
    { name: "a zip path used as both a file and a folder", method: "POST", url: "/api/v0/deploy/upload", body: () => algorithmZip({ "files/a": Buffer.from("1"), "files/a/b": Buffer.from("2") }), status: 400, code: "deploy_failed", detail: /files\/a: is both a file and the folder of files\/a\/b/ },
    { name: "preview of a 0-size dataset", method: "GET", url: (i) => `/api/v0/files/${i.empty}/preview.png`, status: 422, code: "dataset_unsuitable", detail: /\[0, 5\] has an empty axis/ },
    { name: "PNG export of a 0-size dataset", method: "GET", url: (i) => `/api/v0/files/${i.empty}/export?format=png`, status: 422, code: "dataset_unsuitable", detail: /empty axis/ },
    { name: "TIFF export of a 0-size dataset", method: "GET", url: (i) => `/api/v0/files/${i.empty}/export?format=tiff`, status: 422, code: "dataset_unsuitable", detail: /empty axis/ },
    { name: "preview over max_image_megapixels", method: "GET", url: (i) => `/api/v0/files/${i.huge}/preview.png`, status: 422, code: "dataset_unsuitable", detail: /1 million pixels in a plane, over max_image_megapixels \(1\); export it as HDF5/ },
    { name: "PNG export over max_image_megapixels", method: "GET", url: (i) => `/api/v0/files/${i.huge}/export?format=png`, status: 422, code: "dataset_unsuitable", detail: /max_image_megapixels/ },
    { name: "TIFF export over max_image_megapixels", method: "GET", url: (i) => `/api/v0/files/${i.huge}/export?format=tiff`, status: 422, code: "dataset_unsuitable", detail: /in all, over max_image_megapixels/ },
    { name: "parameters nested 10,000 deep", method: "POST", url: "/api/v0/execute-algorithm", body: () => `{"algorithm_id":"${algorithm}","input_dataset_ids":[],"additional_parameters":{"x":${nested}}}`, status: 422, code: "invalid_request", detail: /nests 10002 levels deep, more than max_json_depth \(64\)/ },
    { name: "JSON body over max_json_body_mb", method: "POST", url: "/api/v0/execute-algorithm", body: () => JSON.stringify({ algorithm_id: algorithm, input_dataset_ids: [], additional_parameters: { pad: "x".repeat(2 * 2 ** 20) } }), status: 413, code: "limit_exceeded", detail: /exceeds max_json_body_mb \(1 MB\)/ },
    { name: "deploy/local of /", method: "POST", url: "/api/v0/deploy/local?path=/", status: 400, code: "deploy_failed", detail: /\/pyproject\.toml: missing.*is it the algorithm folder/ },
    { name: "a major version beyond 2^53", method: "POST", url: "/api/v0/deploy/upload", body: () => algorithmZip({}, pyproject("big", "99999999999999999999.0")), status: 400, code: "config_invalid", detail: /project\.version.*has a number over 9007199254740991/ },
    { name: "an asset named with backslashes", method: "POST", url: `/api/v0/deploy/local?path=${encodeURIComponent(backslash.path)}`, status: 400, code: "deploy_failed", detail: /files\/a\\\.\.\\\.\.\\evil: the name contains a backslash/ },
    { name: "HDF5 whose dataset's raw data is /etc/passwd (external storage)", method: "POST", url: "/api/v0/files", body: hostileH5("external_storage.h5"), status: 422, code: "invalid_hdf5", detail: /"image" keeps its data in another file \(\/etc\/passwd\)/ },
    { name: "HDF5 with an external link", method: "POST", url: "/api/v0/files", body: hostileH5("external_link.h5"), status: 422, code: "invalid_hdf5", detail: /external link .*\/tmp\/compox-elsewhere\.h5/ },
    { name: "HDF5 with a virtual dataset", method: "POST", url: "/api/v0/files", body: hostileH5("virtual.h5"), status: 422, code: "invalid_hdf5", detail: /virtual dataset/ },
    { name: "preview of a 2-D string dataset", method: "GET", url: (i) => `/api/v0/files/${i.odd}/preview.png`, status: 422, code: "dataset_unsuitable", detail: /"image" has type .*cannot be drawn/ },
    { name: "PNG export of a 2-D string dataset", method: "GET", url: (i) => `/api/v0/files/${i.odd}/export?format=png`, status: 422, code: "dataset_unsuitable", detail: /"image" has type .*(not an array of numbers|cannot be drawn|cannot be exported)/ },
    { name: "TIFF export of a 2-D string dataset", method: "GET", url: (i) => `/api/v0/files/${i.odd}/export?format=tiff`, status: 422, code: "dataset_unsuitable", detail: /"image" has type .*(not an array of numbers|cannot be drawn|cannot be exported)/ },
    { name: "a UI path with overlong UTF-8 dots", method: "GET", url: "/ui/%C0%AE%C0%AE", status: 404, code: "not_found", detail: /malformed/ },
    { name: "an unknown route", method: "GET", url: "/api/v0/nope", status: 404, code: "not_found", detail: /Not Found/ },
  ];
  for (const c of cases) {
    const url = typeof c.url === "function" ? c.url(ids) : c.url;
    const body = typeof c.body === "function" ? c.body() : c.body;
    const started = Date.now();
    const res = await app.request(url, { method: c.method, body: typeof body === "string" || body === undefined ? body : new Uint8Array(body), headers: HOST });
    const json = (await res.json()) as { detail: string; code: string };
    assert.equal(res.status, c.status, `${c.name}: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    assert.equal(json.code, c.code, c.name);
    assert.match(json.detail, c.detail, c.name);
    assert.ok(Date.now() - started < 5000, `${c.name} answered in ${Date.now() - started} ms`);
  }
  // A key with a newline and quotes is served, its name encoded in the headers.
  const key = encodeURIComponent('bad\nkey "quoted"');
  const plane = await app.request(`/api/v0/files/${odd}/plane?key=${key}`, { headers: HOST });
  assert.equal(plane.status, 200);
  assert.equal(decodeURIComponent(plane.headers.get("x-compox-key") ?? ""), 'bad\nkey "quoted"');
  const tiff = await app.request(`/api/v0/files/${odd}/export?format=tiff&key=${key}`, { headers: HOST });
  assert.equal(tiff.status, 200);
  assert.equal(tiff.headers.get("content-disposition"), `attachment; filename="${odd}-bad_key _quoted_.tif"; filename*=UTF-8''${odd}-bad%0Akey%20%22quoted%22.tif`);
  // Nothing above changed what is deployed.
  assert.deepEqual((await t.engine.listAlgorithms()).map((a) => a.algorithm_name), ["demo"]);
});
