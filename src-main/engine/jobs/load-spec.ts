// What a runner process needs to load a job's algorithm: its bundle (TypeScript) or module folder
// (Python), its assets as files on this node (a checkpoint's files in place of the assets of the
// same paths), and the device.
import path from "node:path";
import type { BlobStore } from "../blobs/blob-store.js";
import { ensureBundle } from "../deploy/bundle-cache.js";
import { unzipSources } from "../deploy/module-zip.js";
import { resolveDevice, type GpuInfo } from "../runtime/devices.js";
import { extractModule } from "../runtime/module-dir.js";
import type { LoadSpec } from "../runtime/protocol/protocol.js";
import { runnerImports } from "../runtime/runner-host.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { TrainingRepo } from "../store/training-repo.js";
import type { LoadTarget } from "./queued-job.js";

export interface LoadSpecDeps {
  algorithms: AlgorithmsRepo;
  training: TrainingRepo;
  blobs: BlobStore;
  bundleDir: string;
  gpus: () => GpuInfo;
}

/** The load spec of `target` (module `moduleId`); fetches what this node lacks from the shared store. */
export async function loadSpecOf(deps: LoadSpecDeps, target: LoadTarget, moduleId: string): Promise<LoadSpec> {
  const { algorithms, training, blobs } = deps;
  const minor = Number(target.algorithm_minor_version);
  const module = await algorithms.getModule(moduleId);
  const version = await algorithms.getVersion(target.algorithm_id, minor);
  if (!module || !version) throw new Error("the algorithm version was removed");
  const checkpointFiles = target.checkpoint_id ? await training.checkpointFiles(target.checkpoint_id) : {};
  const assetRows = await algorithms.assets(target.algorithm_id, minor);
  await blobs.fetch([module.blob_id, ...assetRows.map((a) => a.asset_id), ...Object.values(checkpointFiles)]); // cluster mode: copies on this node
  const assets = Object.fromEntries(assetRows.map((a) => [a.path, blobs.pathOf(a.asset_id)]));
  // A checkpoint's files replace the assets of the same paths.
  for (const [p, blob] of Object.entries(checkpointFiles)) assets[p] = blobs.pathOf(blob);
  const device = ("resolved_execution_device" in target ? target.resolved_execution_device : resolveDevice(version.config.default_device, deps.gpus()).device) as LoadSpec["device"];
  const sources = () => unzipSources(blobs.read(module.blob_id));
  if (module.language === "py") return { bundlePath: "", moduleRoot: extractModule(path.join(deps.bundleDir, "..", "py"), module.module_id, sources), device, assets };
  const bundlePath = await ensureBundle(deps.bundleDir, module.module_id, sources, module.entry_point, version.config.obfuscate, runnerImports());
  return { bundlePath, device, assets };
}
