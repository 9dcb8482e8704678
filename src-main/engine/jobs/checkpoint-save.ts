// A checkpoint a training saves: files that replace assets of its algorithm, stored as blobs
// (published to the shared store first in cluster mode) and recorded with the training's tags.
import fs from "node:fs";
import { v1 as uuidv1 } from "uuid";
import type { TrainingRecord } from "../../contract/records.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { BlobStore } from "../blobs/blob-store.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { TrainingRepo } from "../store/training-repo.js";

export interface CheckpointSaveDeps {
  algorithms: AlgorithmsRepo;
  training: TrainingRepo;
  blobs: BlobStore;
  now: () => Date;
}

/** Stores `files` (asset path → file the runner wrote, moved into the store) as a checkpoint of training `t`; returns its id. */
export async function saveCheckpoint(deps: CheckpointSaveDeps, t: TrainingRecord, files: Record<string, string>, properties: Record<string, unknown>): Promise<string> {
  const valid = (await deps.algorithms.assets(t.algorithm_id, Number(t.algorithm_minor_version))).map((a) => a.path);
  const unknown = Object.keys(files).filter((p) => !valid.includes(p));
  if (unknown.length > 0) throw new Error(`saveCheckpoint: ${unknown.join(", ")} ${unknown.length > 1 ? "are" : "is"} not an asset of the algorithm; checkpoint files replace assets, so use one of ${valid.join(", ") || "(it has no assets)"}`);
  if (Object.keys(files).length === 0) throw new Error("saveCheckpoint: give at least one file");
  const blobs: Record<string, string> = {};
  for (const [p, file] of Object.entries(files)) {
    blobs[p] = (await deps.blobs.putFile(file)).id;
    await fs.promises.rm(file, { force: true });
  }
  await deps.blobs.publish();
  const checkpoint_id = uuidv1();
  await deps.algorithms.setStorageMetrics(t.algorithm_id, null);
  await deps.training.insertCheckpoint(
    { checkpoint_id, training_id: t.training_id, parent_algorithm_id: t.algorithm_id, parent_checkpoint_id: t.checkpoint_id, algorithm_minor_version: t.algorithm_minor_version, created_at: formatCompoxTime(deps.now()), properties, tags: t.tags },
    blobs,
  );
  return checkpoint_id;
}
