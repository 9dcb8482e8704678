// Compox 3.2's `storage_metrics` of an algorithm: what its modules, assets and checkpoints take
// in the store. Computed when missing or stale, then kept, so repeated reads return the same JSON.
import fs from "node:fs";
import type { BlobStore } from "./blobs/blob-store.js";
import type { AlgorithmsRepo } from "./store/algorithms-repo.js";
import type { TrainingRepo } from "./store/training-repo.js";

export interface StorageMetrics {
  logical_size_bytes: number;
  module_bytes: number;
  asset_bytes: number;
  checkpoint_manifest_bytes: number;
  module_count: number;
  asset_count: number;
  checkpoint_count: number;
  last_recomputed_at: string;
}

/** Sizes of the distinct objects of one algorithm; objects that are referenced but missing are left out. */
export async function computeStorageMetrics(algorithmId: string, deps: { repo: AlgorithmsRepo; training: TrainingRepo; blobs: BlobStore }, now: Date): Promise<StorageMetrics> {
  const { repo, training, blobs } = deps;
  const size = (blobId: string): number | undefined => {
    try {
      return fs.statSync(blobs.pathOf(blobId)).size;
    } catch {
      return undefined;
    }
  };
  const modules = new Set<string>();
  const assets = new Set<string>();
  for (const minor of await repo.minors(algorithmId)) {
    const version = await repo.getVersion(algorithmId, minor);
    const module = version && (await repo.getModule(version.module_id));
    if (module) modules.add(module.blob_id);
    for (const a of await repo.assets(algorithmId, minor)) assets.add(a.asset_id);
  }
  const checkpoints = (await training.listCheckpoints()).filter((c) => c.parent_algorithm_id === algorithmId);
  let manifestBytes = 0;
  for (const c of checkpoints) {
    const files = await training.checkpointFiles(c.checkpoint_id);
    for (const blob of Object.values(files)) assets.add(blob);
    manifestBytes += Buffer.byteLength(JSON.stringify({ ...c, files }));
  }
  const sum = (ids: Set<string>) => {
    let bytes = 0;
    let count = 0;
    for (const id of ids) {
      const s = size(id);
      if (s === undefined) continue;
      bytes += s;
      count++;
    }
    return { bytes, count };
  };
  const m = sum(modules);
  const a = sum(assets);
  return {
    logical_size_bytes: m.bytes + a.bytes + manifestBytes,
    module_bytes: m.bytes,
    asset_bytes: a.bytes,
    checkpoint_manifest_bytes: manifestBytes,
    module_count: m.count,
    asset_count: a.count,
    checkpoint_count: checkpoints.length,
    last_recomputed_at: now.toISOString().slice(0, 19),
  };
}
