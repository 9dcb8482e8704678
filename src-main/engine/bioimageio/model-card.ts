// The model card of an imported bioimage.io model, read back from the algorithm's assets, and its
// cover images: what the window shows beside the run form.
import path from "node:path";
import { NotFoundError } from "../../contract/errors.js";
import { ModelCardSchema, type ModelCard } from "../../contract/model-card.js";

/** Where the import keeps the model card among the algorithm's assets (the package is under files/model/). */
export const MODEL_CARD_ASSET = "files/model-card.json";

/** Reads an asset of an algorithm line's latest version (undefined when it has none of that path). */
export type AssetReader = (name: string, major: number, assetPath: string) => Promise<Buffer | undefined>;

const IMAGE_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".svg": "image/svg+xml" };

/** The model card of algorithm `name` `major`, or a 404 saying it is not an imported model. */
export async function readModelCard(read: AssetReader, name: string, major: number): Promise<ModelCard> {
  const bytes = await read(name, major, MODEL_CARD_ASSET);
  if (!bytes) throw new NotFoundError("model_card_not_found", `${name} ${major} is not an imported bioimage.io model: it has no model card`);
  return ModelCardSchema.parse(JSON.parse(bytes.toString("utf8")));
}

/** Cover `n` of the model (its bytes and media type), or a 404 naming how many there are. */
export async function readModelCover(read: AssetReader, name: string, major: number, n: number): Promise<{ bytes: Buffer; contentType: string }> {
  const card = await readModelCard(read, name, major);
  const file = card.covers[n];
  const contentType = file && IMAGE_TYPES[path.extname(file).toLowerCase()];
  const bytes = file && contentType ? await read(name, major, `files/model/${file}`) : undefined;
  if (!bytes || !contentType) throw new NotFoundError("model_card_not_found", `${name} ${major} has no cover ${n} it can show (covers: ${card.covers.join(", ") || "none"})`);
  return { bytes, contentType };
}
