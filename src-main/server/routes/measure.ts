// Measurements of a segmentation: its objects per class (engine/datasets/measure.ts) as JSON or CSV.
import type { MeasurementsBody } from "../../contract/api.js";
import type { Endpoints, HandlerInput } from "../../contract/endpoints.js";
import { CompoxError } from "../../contract/errors.js";
import type { NDArray, PixelSize } from "../../contract/ndarray.js";
import { checkPictureShape, measureObjects, measurementsCsv, pickKey, type Engine } from "../../engine/index.js";
import type { Router } from "../router.js";
import { attachment } from "../streams.js";

type MeasureQuery = HandlerInput<Endpoints["measure"]>["query"];

/** Keys a segmentation is found under when the request names none. */
const LABEL_KEYS = ["mask", "labels", "segmentation"];

const numbers = (a: NDArray): ArrayLike<number> => (a.data instanceof BigInt64Array ? Float64Array.from(a.data, Number) : (a.data as ArrayLike<number>));

/** Plane `slice` of a key of dataset `id` (the requested one, else the first of `preferred` present, else the first image-like). */
async function planeOf(engine: Engine, id: string, requested: string | undefined, preferred: readonly string[], slice: number): Promise<{ key: string; plane: NDArray; pixelSize?: PixelSize }> {
  const { keys } = await engine.getDataset(id);
  const key = requested ?? preferred.find((k) => (keys[k]?.shape.length ?? 0) >= 2) ?? pickKey(keys);
  if (!keys[key]) throw new CompoxError("invalid_request", `dataset ${id} has no key "${key}"; it has ${Object.keys(keys).join(", ")}`);
  checkPictureShape(keys[key].shape, engine.settings.max_image_megapixels);
  return { key, plane: await engine.readExactPlane(id, key, slice), pixelSize: keys[key].pixel_size };
}

async function measure(engine: Engine, id: string, q: MeasureQuery): Promise<MeasurementsBody> {
  const { key, plane, pixelSize } = await planeOf(engine, id, q.key, LABEL_KEYS, q.slice);
  const [h, w] = plane.shape as [number, number];
  let intensity: ArrayLike<number> | undefined;
  let imagePixelSize: PixelSize | undefined;
  if (q.intensity_id) {
    const image = await planeOf(engine, q.intensity_id, q.intensity_key, ["image"], q.slice);
    if (image.plane.shape.join("x") !== plane.shape.join("x"))
      throw new CompoxError("invalid_request", `the intensity image "${image.key}" of ${q.intensity_id} is ${image.plane.shape.join("×")}, the labels "${key}" are ${h}×${w}: give an image of the same size`);
    intensity = numbers(image.plane);
    imagePixelSize = image.pixelSize;
  }
  // A mask made from an image is the same specimen: the image's pixel size holds for it.
  return { key, slice: q.slice, ...measureObjects(numbers(plane), h, w, intensity), pixel_size: pixelSize ?? imagePixelSize ?? null };
}

export function measureRoutes(r: Router, engine: Engine): void {
  r.route("measure", (_, { params, query }) => measure(engine, params.id, query));
  r.route("measureCsv", async (c, { params, query }) => {
    const m = await measure(engine, params.id, query);
    return c.body(measurementsCsv(m), 200, { "content-type": "text/csv; charset=utf-8", "content-disposition": attachment(`${params.id}-${m.key}-objects.csv`) });
  });
}
