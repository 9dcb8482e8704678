// Rebuilds an algorithm folder as a zip from the store: the author's pyproject.toml, the module's
// sources and the assets, so export → deploy round-trips to the same module_id and assets.
import type { SourceFile } from "./folder-scan.js";
import type { BlobStore } from "../blobs/blob-store.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import { unzipSources, zipFiles } from "./module-zip.js";

export interface ExportSource {
  repo: AlgorithmsRepo;
  blobs: BlobStore;
}

/** The zip bytes of one minor version. Callers check `exportable` and existence first. */
export async function exportVersionZip(src: ExportSource, algorithmId: string, minor: number, assetOverrides: Readonly<Record<string, string>> = {}): Promise<Buffer> {
  const version = await src.repo.getVersion(algorithmId, minor);
  if (!version) throw new Error(`version ${algorithmId}/${minor} missing`);
  const module = await src.repo.getModule(version.module_id);
  if (!module) throw new Error(`module ${version.module_id} missing`);
  const files: SourceFile[] = [{ path: "pyproject.toml", content: Buffer.from(version.pyproject, "utf8") }];
  files.push(...unzipSources(src.blobs.read(module.blob_id)));
  for (const asset of await src.repo.assets(algorithmId, minor)) {
    files.push({ path: asset.path, content: src.blobs.read(assetOverrides[asset.path] ?? asset.asset_id) });
  }
  return zipFiles(files);
}
