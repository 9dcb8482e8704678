// Datasets as pictures and files: image import, previews, planes of volumes, and exports that keep
// the data (TIFF in the array's own type, a run's outputs as one TIFF).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { NDArray } from "../contract/ndarray.js";
import { writeHdf5 } from "../engine/datasets/hdf5.js";
import { openImage } from "../engine/datasets/image-import.js";
import { waitForEnd } from "../engine/testing/test-engine.js";
import { apiApp as setup, statusOf } from "./testing/api-app.js";

test("image import, preview PNG and PNG/TIFF/HDF5 exports", async () => {
  await using s = await setup();
  const camera = "/usr/lib/python3/dist-packages/skimage/data/camera.png";
  const png = fs.existsSync(camera) ? fs.readFileSync(camera) : await (await import("sharp")).default(Buffer.alloc(64 * 48, 7), { raw: { width: 64, height: 48, channels: 1 } }).png().toBuffer();
  const { file_ids } = await s.client.importImage(png, "camera.png");
  assert.equal(file_ids.length, 1);
  const id = file_ids[0] ?? "";
  const preview = await s.req("GET", `/api/v0/files/${id}/preview.png?max_size=64`);
  assert.equal(preview.headers.get("content-type"), "image/png");
  const sharp = (await import("sharp")).default;
  const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
  assert.ok(Math.max(meta.width ?? 0, meta.height ?? 0) <= 64);
  for (const [format, type] of [["png", "image/png"], ["tiff", "image/tiff"], ["h5", "application/octet-stream"]]) {
    const r = await s.req("GET", `/api/v0/files/${id}/export?format=${format}`);
    assert.equal(r.status, 200, format);
    assert.equal(r.headers.get("content-type"), type);
  }
  assert.equal((await s.req("GET", `/api/v0/files/${id}/export?format=gif`)).status, 422);
  assert.equal((await s.req("GET", `/api/v0/files/${id}/preview.png?key=nope`)).status, 422);
  assert.equal((await s.req("POST", "/api/v0/files/import?filename=x.png", { body: "nope" })).status, 422);
});

test("a plane of a volume: read alone, reduced to max_size by block means or nearest pixels, with its shape in headers", async () => {
  await using s = await setup();
  const [d, h, w] = [4, 30, 50];
  const data = Float32Array.from({ length: d * h * w }, (_, i) => i);
  const file = path.join(s.dataDir, "volume.h5");
  await writeHdf5(file, { image: { dtype: "float32", shape: [d, h, w], data } });
  const { file_id } = await s.client.uploadFile(new Uint8Array(fs.readFileSync(file)));
  const full = await s.client.plane(file_id, { slice: 2 });
  assert.deepEqual([full.shape, full.factor, full.depth], [[h, w], 1, d]);
  assert.deepEqual([...full.data], [...data.subarray(2 * h * w, 3 * h * w)]);
  const small = await s.client.plane(file_id, { slice: 3, max_size: 16, sampling: "nearest" });
  assert.deepEqual([small.shape, small.factor], [[8, 13], 4]);
  assert.equal(small.data[1 * 13 + 2], data[3 * h * w + 4 * w + 8]);
  const mean = await s.client.plane(file_id, { max_size: 25 });
  assert.deepEqual([mean.shape, mean.factor], [[15, 25], 2]);
  assert.equal(mean.data[0], (0 + 1 + 50 + 51) / 4);
  assert.equal(await statusOf(s.client.plane(file_id, { slice: 4 })), "422 invalid_request");
  assert.equal(await statusOf(s.client.plane(file_id, { key: "nope" })), "422 invalid_request");
});

test("exports read plane by plane and keep the data: a uint16 stack as TIFF pages, one slice as a 16-bit PNG", async () => {
  await using s = await setup();
  // Four slices: 3×H×W is taken for a colour image.
  const data = new Uint16Array(4 * 4 * 5).map((_, i) => i * 800);
  const { file_id } = await s.engine.createDataset({ image: { dtype: "uint16", shape: [4, 4, 5], data } });
  const decode = async (url: string, name: string) => {
    const bytes = Buffer.from(await (await s.req("GET", url)).arrayBuffer());
    const pages: NDArray[] = [];
    for await (const p of (await openImage(bytes, name, { maxPages: 10, maxPixels: 1e6 })).pages) pages.push(p);
    return pages;
  };
  const pages = await decode(`/api/v0/files/${file_id}/export?format=tiff`, "x.tif");
  assert.deepEqual(pages.map((p) => [p.dtype, p.shape]), Array.from({ length: 4 }, () => ["uint16", [4, 5]]));
  assert.deepEqual(pages.flatMap((p) => [...(p.data as Uint16Array)]), [...data]);
  const [png] = await decode(`/api/v0/files/${file_id}/export?format=png&slice=2`, "x.png");
  assert.deepEqual([png?.dtype, png?.shape, [...(png?.data as Uint16Array)]], ["uint16", [4, 5], [...data.subarray(40, 60)]]);
});

test("a TIFF export keeps the data's own type: a float32 stack stays float32 value for value, float16 becomes float32, a colour image one RGB page", async () => {
  await using s = await setup();
  const data = Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => 0.8649 + i / 7 - 1);
  const { file_id } = await s.engine.createDataset({ image: { dtype: "float32", shape: [2, 3, 4], data } });
  const pagesOf = async (url: string) => {
    const res = await s.req("GET", url);
    assert.equal(res.status, 200, await res.clone().text());
    const pages: NDArray[] = [];
    for await (const p of (await openImage(Buffer.from(await res.arrayBuffer()), "x.tif", { maxPages: 10, maxPixels: 1e6 })).pages) pages.push(p);
    return pages;
  };
  const pages = await pagesOf(`/api/v0/files/${file_id}/export?format=tiff`);
  assert.deepEqual(pages.map((p) => [p.dtype, p.shape]), [["float32", [3, 4]], ["float32", [3, 4]]]);
  assert.deepEqual(pages.flatMap((p) => [...(p.data as Float32Array)]), [...data], "values exact, not an 8-bit rendering");
  const half = await s.engine.createDataset({ image: { dtype: "float16", shape: [1, 2], data: Uint16Array.from([0x3c00, 0xc000]) } });
  const [h] = await pagesOf(`/api/v0/files/${half.file_id}/export?format=tiff`);
  assert.deepEqual([h?.dtype, [...(h?.data as Float32Array)]], ["float32", [1, -2]]);
  const rgb = await s.engine.createDataset({ image: { dtype: "uint8", shape: [3, 1, 2], data: Uint8Array.from([10, 11, 20, 21, 30, 31]) } });
  const [c] = await pagesOf(`/api/v0/files/${rgb.file_id}/export?format=tiff`);
  assert.deepEqual([c?.dtype, c?.shape, [...(c?.data as Uint8Array)]], ["uint8", [3, 1, 2], [10, 11, 20, 21, 30, 31]]);
  // The pixel size leaves with the data (ImageJ's way), for every page.
  const calibrated = await s.engine.createDataset({ image: { dtype: "uint16", shape: [2, 3, 4], data: new Uint16Array(24), pixel_size: { x: 0.65, y: 0.5, unit: "µm" } } });
  assert.deepEqual((await pagesOf(`/api/v0/files/${calibrated.file_id}/export?format=tiff`)).map((p) => p.pixel_size), [0, 1].map(() => ({ x: 0.65, y: 0.5, unit: "µm" })));
  const nm = await s.engine.createDataset({ image: { dtype: "uint8", shape: [1, 2], data: new Uint8Array(2), pixel_size: { x: 120, y: 120, unit: "nm" } } });
  assert.deepEqual((await pagesOf(`/api/v0/files/${nm.file_id}/export?format=tiff`))[0]!.pixel_size, { x: 120, y: 120, unit: "nm" });
  assert.equal(pages[0]!.pixel_size, undefined, "none known: none written");
});

test("a run's outputs leave as one TIFF: every output a page, in order, in its own type, named after the input and the algorithm", async () => {
  await using s = await setup();
  const HALVE = `import { Image2ImageRunner } from "compox";
export class Runner extends Image2ImageRunner {
  inference(images) { return { dtype: "float32", shape: images.shape, data: Float32Array.from(images.data, (v) => v / 3) }; }
}`;
  const algorithm_id = await s.deploy("third", HALVE);
  const inputs = [];
  const pixel_size = { x: 0.2, y: 0.2, unit: "µm" };
  for (let i = 0; i < 3; i++) inputs.push((await s.engine.createDataset({ image: { dtype: "uint8", shape: [2, 3], data: Uint8Array.from({ length: 6 }, (_, j) => i * 10 + j), pixel_size } }, `cells.tif [${i + 1}]`)).file_id);
  const { execution_id } = await s.client.execute({ algorithm_id, input_dataset_ids: inputs });
  const rec = await waitForEnd(s.engine, execution_id);
  assert.equal(rec.status, "COMPLETED", rec.log);
  const res = await s.req("GET", new URL(s.client.outputsExportUrl(execution_id)).pathname);
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get("content-disposition") ?? "", /filename="cells_third\.tif"/);
  const pages: NDArray[] = [];
  for await (const p of (await openImage(Buffer.from(await res.arrayBuffer()), "x.tif", { maxPages: 10, maxPixels: 1e6 })).pages) pages.push(p);
  assert.deepEqual(pages.map((p) => [p.dtype, p.shape]), [0, 1, 2].map(() => ["float32", [2, 3]]));
  assert.deepEqual(pages.flatMap((p) => [...(p.data as Float32Array)]), [0, 1, 2].flatMap((i) => Array.from({ length: 6 }, (_, j) => Math.fround((i * 10 + j) / 3))));
  assert.deepEqual(pages[0]!.pixel_size, pixel_size, "the outputs have their inputs' pixel size");
  const running = await s.client.execute({ algorithm_id, input_dataset_ids: [] });
  const early = await s.req("GET", `/api/v0/executions/${running.execution_id}/export`);
  assert.equal(early.status, 422, "an execution with no outputs (yet) has nothing to export");
});

test("a segmentation measured: objects per class with the image's intensity under each, as JSON and CSV; 422 for another size", async () => {
  await using s = await setup();
  const mask = await s.engine.createDataset({ mask: { dtype: "int64", shape: [3, 4], data: BigInt64Array.from([1n, 1n, 0n, 2n, 0n, 0n, 0n, 2n, 1n, 0n, 0n, 0n]) } });
  const image = await s.engine.createDataset({ image: { dtype: "uint16", shape: [3, 4], data: Uint16Array.from({ length: 12 }, (_, i) => i * 10) } });
  const m = await s.client.measure(mask.file_id, { intensity_id: image.file_id });
  assert.equal(m.key, "mask");
  assert.deepEqual(m.objects.map((o) => [o.class, o.object, o.area, o.bbox, o.mean_intensity]), [
    [1, 1, 2, [0, 0, 1, 2], 5],
    [2, 1, 2, [0, 3, 2, 4], 50],
    [1, 2, 1, [2, 0, 3, 1], 80],
  ]);
  assert.deepEqual(m.classes.map((c) => [c.class, c.count, c.area]), [[1, 2, 3], [2, 1, 2]]);
  const csv = await s.req("GET", new URL(s.client.measureCsvUrl(mask.file_id)).pathname + new URL(s.client.measureCsvUrl(mask.file_id)).search);
  assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  const lines = (await csv.text()).trim().split("\n");
  assert.deepEqual([lines.length, lines[1]], [4, "1,1,2,0,0.5,0,0,1,2,,,"]);
  const other = await s.engine.createDataset({ image: { dtype: "uint8", shape: [2, 2], data: new Uint8Array(4) } });
  assert.equal(await statusOf(s.client.measure(mask.file_id, { intensity_id: other.file_id })), "422 invalid_request");
  // A mask of an image with a pixel size: that size, and areas in µm² in the CSV.
  assert.equal(m.pixel_size, null, "none known: none made up");
  const calibrated = await s.engine.createDataset({ image: { dtype: "uint16", shape: [3, 4], data: new Uint16Array(12), pixel_size: { x: 0.5, y: 0.5, unit: "µm" } } });
  const measured = await s.client.measure(mask.file_id, { intensity_id: calibrated.file_id });
  assert.deepEqual(measured.pixel_size, { x: 0.5, y: 0.5, unit: "µm" }, "the image's, for a mask of its shape");
  const withArea = await s.req("GET", new URL(s.client.measureCsvUrl(mask.file_id, { intensity_id: calibrated.file_id })).pathname + new URL(s.client.measureCsvUrl(mask.file_id, { intensity_id: calibrated.file_id })).search);
  const rows = (await withArea.text()).trim().split("\n");
  assert.deepEqual([rows[0]!.split(",").at(-1), rows[1]!.split(",").at(-1)], ["area_µm2", "0.5"], "2 pixels of 0.25 µm²");
});
