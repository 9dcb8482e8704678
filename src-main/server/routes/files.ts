// Datasets: Compox's raw HDF5 upload/download/delete, the presigned-URL flow of /api/v1 served
// locally, and the UI's extensions (list, image import, previews, exports).
import type { Context } from "hono";
import { CompoxError } from "../../contract/errors.js";
import { TYPED_ARRAY, type NDArray, type PixelSize } from "../../contract/ndarray.js";
import type { Engine } from "../../engine/index.js";
import type { Router } from "../router.js";
import { attachment, bodyStream, checkDeclaredSize, fileResponse, readBody } from "../streams.js";
import { checkPictureShape, exportPng, pickKey, previewPng, tiffPage, tiffPagesOf, encodeTiff, isDatasetId, type KeyInfo, type TiffPage } from "../../engine/index.js";

async function upload(c: Context, engine: Engine, id?: string) {
  checkDeclaredSize(c, engine.settings.max_upload_mb);
  return engine.uploadDataset(bodyStream(c), { signal: c.req.raw.signal, id });
}

async function download(c: Context, engine: Engine, id: string): Promise<Response> {
  return fileResponse(c, await engine.datasetPath(id, c.req.raw.signal), { "content-type": "application/octet-stream", "content-disposition": attachment(`${id}.h5`) });
}

/** Object names of the presigned flow are dataset ids, as in Compox (any name of one path segment). */
function objectName(raw: string): string {
  if (!isDatasetId(raw)) throw new CompoxError("invalid_request", `object name "${raw}" must be 1 to 255 characters without slashes or control characters`, { object_name: raw });
  return raw;
}

/** A key of a dataset to draw, with its shape and dtype. */
interface Picture {
  id: string;
  key: string;
  shape: readonly number[];
  dtype: KeyInfo["dtype"];
  pixelSize?: PixelSize;
}

/** The key of a dataset to draw (the requested one, or the first image-like), checked by its shape
 * before anything is read (`allPlanes`: every plane is drawn, as in a TIFF). */
async function pictureKey(engine: Engine, id: string, requested: string | undefined, allPlanes: boolean): Promise<Picture> {
  const info = await engine.getDataset(id);
  const key = pickKey(info.keys, requested);
  const { shape, dtype, pixel_size } = info.keys[key]!;
  checkPictureShape(shape, engine.settings.max_image_megapixels, allPlanes);
  return { id, key, shape, dtype, pixelSize: pixel_size };
}

/** The whole key: only for arrays deeper than 3-D, which planes do not reach. */
async function wholeArray(engine: Engine, p: Picture): Promise<NDArray> {
  return (await engine.readDataset(p.id, [p.key]))[p.key] as NDArray;
}

/**
 * The picture at `slice`, read plane by plane (never the whole key): a colour 3×H×W image as three
 * planes, else plane `slice`, reduced to `maxSize` on a side. Integer types a picture keeps
 * exactly (uint8, uint16, bool) come back in their dtype.
 */
async function planeArray(engine: Engine, p: Picture, slice: number, maxSize: number): Promise<NDArray> {
  if (p.shape.length > 3) return wholeArray(engine, p);
  const colour = p.shape.length === 3 && p.shape[0] === 3;
  const planes = await Promise.all((colour ? [0, 1, 2] : [slice]).map((i) => engine.readPlane(p.id, p.key, i, maxSize, "mean")));
  const [h, w] = planes[0]!.shape;
  const data = new Float32Array(planes.length * h * w);
  planes.forEach((plane, i) => data.set(plane.data, i * h * w));
  const shape = colour ? [3, h, w] : [h, w];
  const { dtype } = p;
  const exact = planes[0]!.factor === 1 && (dtype === "uint8" || dtype === "uint16" || dtype === "bool");
  return exact ? ({ dtype, shape, data: TYPED_ARRAY[dtype].from(data) } as NDArray) : { dtype: "float32", shape, data };
}

/** A PNG is one plane at full size: only that plane is read. */
async function pngExport(engine: Engine, p: Picture, slice: number): Promise<Buffer> {
  const array = await planeArray(engine, p, slice, Number.MAX_SAFE_INTEGER);
  return exportPng(array, array.shape.length > 3 ? slice : 0);
}

/** A TIFF holds every plane in the data's own type: they are read one at a time (never the whole
 * key at once) and kept only as pages. A colour 3×H×W image is one RGB page. */
async function tiffExport(engine: Engine, p: Picture): Promise<Buffer> {
  return encodeTiff(await tiffPages(engine, p));
}

/** The TIFF pages of a picture, in the data's own type, with its pixel size. */
async function tiffPages(engine: Engine, p: Picture): Promise<TiffPage[]> {
  return (await tiffPagesOfPicture(engine, p)).map((page) => ({ ...page, pixelSize: p.pixelSize }));
}

async function tiffPagesOfPicture(engine: Engine, p: Picture): Promise<TiffPage[]> {
  if (p.shape.length > 3) return tiffPagesOf(await wholeArray(engine, p));
  const colour = p.shape.length === 3 && p.shape[0] === 3;
  const planes = p.shape.length === 3 ? p.shape[0]! : 1;
  const exact = (i: number) => engine.readExactPlane(p.id, p.key, i);
  if (colour) {
    const [r, g, b] = await Promise.all([0, 1, 2].map(exact));
    const data = new (r!.data.constructor as new (n: number) => NDArray["data"])(r!.data.length * 3);
    [r, g, b].forEach((c, i) => (data as unknown as { set(a: ArrayLike<number | bigint>, at: number): void }).set(c!.data, i * r!.data.length));
    return [tiffPage({ dtype: r!.dtype, shape: [3, ...r!.shape], data } as NDArray)];
  }
  const pages = [];
  for (let i = 0; i < planes; i++) pages.push(tiffPage(await exact(i)));
  return pages;
}

/** A file name from a dataset's name: its file name without the page number and extension. */
const stemOf = (name: string | null | undefined) => name?.replace(/ \[\d+\]$/, "").replace(/\.[A-Za-z0-9]{1,5}$/, "").replace(/[^\w.-]+/g, "_") || undefined;

/** Every output of a completed execution as the pages of one TIFF, in order. */
async function outputsTiff(engine: Engine, id: string, key: string | undefined): Promise<{ bytes: Buffer; filename: string }> {
  const rec = await engine.getExecution(id);
  if (rec.status !== "COMPLETED") throw new CompoxError("invalid_request", `execution ${id} is ${rec.status}: only a COMPLETED execution's outputs can be exported`);
  if (rec.output_dataset_ids.length === 0) throw new CompoxError("dataset_unsuitable", `execution ${id} has no output datasets to export`);
  const pictures = await Promise.all(rec.output_dataset_ids.map((o) => pictureKey(engine, o, key, true)));
  // An output of its input's plane size is the same specimen: it has the input's pixel size.
  for (const [i, p] of pictures.entries()) {
    const input = rec.input_dataset_ids[i] ?? rec.input_dataset_ids[0];
    const image = !p.pixelSize && input ? (await engine.getDataset(input).catch(() => undefined))?.keys.image : undefined;
    if (image?.pixel_size && image.shape.slice(-2).join() === p.shape.slice(-2).join()) p.pixelSize = image.pixel_size;
  }
  const total = pictures.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const max = engine.settings.max_image_megapixels;
  if (total > max * 1e6) throw new CompoxError("dataset_unsuitable", `the ${pictures.length} outputs have ${Math.round(total / 1e6)} million pixels in all, over max_image_megapixels (${max}); export them one by one or as HDF5, or raise the setting`, { setting: "max_image_megapixels" });
  const pages: TiffPage[] = [];
  for (const p of pictures) pages.push(...(await tiffPages(engine, p)));
  const input = rec.input_dataset_ids[0] ? await engine.getDataset(rec.input_dataset_ids[0]).catch(() => undefined) : undefined;
  const filename = `${stemOf(input?.name) ?? id.slice(0, 8)}_${stemOf(rec.algorithm_name) ?? "outputs"}.tif`;
  return { bytes: encodeTiff(pages), filename };
}

export function fileRoutes(r: Router, engine: Engine): void {
  r.route("uploadFile", async (c) => ({ file_id: (await upload(c, engine)).file_id }));
  r.route("listFiles", (_, { query }) => engine.listDatasets(query.limit, query.before));
  r.route("importImage", async (c, { query }) => {
    const bytes = await readBody(c, engine.settings.max_upload_mb);
    const infos = await engine.importImage(bytes, query.filename, c.req.raw.signal);
    return { file_ids: infos.map((i) => i.file_id) };
  });
  r.route("downloadFile", (c, { params }) => download(c, engine, params.id));
  r.route("deleteFile", async (_, { params }) => {
    await engine.deleteDataset(params.id);
    return { detail: `dataset ${params.id} deleted` };
  });
  r.route("fileInfo", (_, { params }) => engine.getDataset(params.id));
  r.route("filePreview", async (c, { params, query: q }) => {
    const array = await planeArray(engine, await pictureKey(engine, params.id, q.key, false), q.slice, q.max_size);
    const png = await previewPng(array, { slice: array.shape.length > 3 ? q.slice : 0, maxSize: q.max_size });
    return c.body(new Uint8Array(png), 200, { "content-type": "image/png", "cache-control": "max-age=3600" });
  });
  r.route("filePlane", async (c, { params: { id }, query: q }) => {
    const key = pickKey((await engine.getDataset(id)).keys, q.key);
    const corners = [q.x, q.y, q.w, q.h];
    if (corners.some((v) => v !== undefined) && corners.some((v) => v === undefined)) throw new CompoxError("invalid_request", "a region needs all of x, y, w and h (or none of them, for the whole plane)");
    const region = q.x !== undefined ? { x: q.x, y: q.y!, w: q.w!, h: q.h! } : undefined;
    const plane = await engine.readPlane(id, key, q.slice, q.max_size, q.sampling, region);
    const bytes = new Uint8Array(plane.data.buffer as ArrayBuffer, plane.data.byteOffset, plane.data.byteLength);
    const r = plane.region;
    return c.body(bytes, 200, { "content-type": "application/octet-stream", "x-compox-shape": plane.shape.join(","), "x-compox-factor": String(plane.factor), "x-compox-depth": String(plane.depth), "x-compox-region": [r.x, r.y, r.w, r.h].join(","), "x-compox-key": encodeURIComponent(key), "x-compox-sampling": plane.sampling });
  });
  r.route("exportOutputs", async (c, { params, query }) => {
    const { bytes, filename } = await outputsTiff(engine, params.id, query.key);
    return c.body(new Uint8Array(bytes), 200, { "content-type": "image/tiff", "content-disposition": attachment(filename) });
  });
  r.route("fileExport", async (c, { params: { id }, query: q }) => {
    if (q.format === "h5") return download(c, engine, id);
    const picture = await pictureKey(engine, id, q.key, q.format === "tiff");
    const bytes = q.format === "png" ? await pngExport(engine, picture, q.slice) : await tiffExport(engine, picture);
    const { key } = picture;
    const type = q.format === "png" ? "image/png" : "image/tiff";
    return c.body(new Uint8Array(bytes), 200, { "content-type": type, "content-disposition": attachment(`${id}-${key}.${q.format === "png" ? "png" : "tif"}`) });
  });

  // Compox's presigned-URL flow, served by this server itself.
  // The client reached us by its Host header: hand back URLs on that same name.
  const origin = (c: Context) => `${new URL(c.req.url).protocol}//${c.req.header("host") ?? new URL(c.req.url).host}`;
  r.route("uploadUrl", (c, { params }) => ({ url: `${origin(c)}/api/v1/objects/${objectName(params.name)}` }));
  r.route("downloadUrl", async (c, { params }) => {
    const name = objectName(params.name);
    await engine.getDataset(name);
    return { url: `${origin(c)}/api/v1/objects/${name}` };
  });
  r.route("deleteNamedFile", async (_, { params }) => {
    await engine.deleteDataset(objectName(params.name));
    return { detail: "File deleted successfully" };
  });
  // Uploading to an existing name replaces that dataset (the file is renamed over it).
  r.route("putObject", async (c, { params }) => ({ file_id: (await upload(c, engine, objectName(params.name))).file_id }));
  r.route("getObject", (c, { params }) => download(c, engine, objectName(params.name)));
}
