// A training's temp store, seen from inside the runner process: HDF5 files under the folder the
// engine made for this training (and removes when it ends). Folders are relative to that root and
// may not leave it; files in a folder are numbered in the order they were saved, so a listing
// sorts the way the author saved them.
import fs from "node:fs";
import path from "node:path";
import type { NDArray } from "../../../contract/ndarray.js";
import { readHdf5, writeHdf5 } from "../../datasets/hdf5.js";

/** The name of the n-th file saved into a folder: 000000.h5, 000001.h5, … */
export const tempFileName = (n: number): string => `${String(n).padStart(6, "0")}.h5`;

export class TempStore {
  /** Next file number per folder; a folder saved into twice continues its numbering. */
  private readonly next = new Map<string, number>();

  constructor(readonly root: string) {}

  /** The absolute folder for `folder` (relative to the root), refusing paths that leave it. */
  folder(folder: string): string {
    const abs = path.resolve(this.root, folder.replace(/\\/g, "/"));
    if (abs !== this.root && !abs.startsWith(this.root + path.sep))
      throw new Error(`temp store folder "${folder}" leaves the training's temp folder; use a relative path such as "derived/images"`);
    return abs;
  }

  /** Writes each item as one HDF5 file in `folder` (created if needed); returns their paths in order. */
  async save(folder: string, items: readonly Record<string, NDArray>[]): Promise<string[]> {
    const dir = this.folder(folder);
    await fs.promises.mkdir(dir, { recursive: true });
    let n = this.next.get(dir) ?? (await fs.promises.readdir(dir)).filter((f) => f.endsWith(".h5")).length;
    const paths: string[] = [];
    for (const item of items) {
      const file = path.join(dir, tempFileName(n++));
      await writeHdf5(file, item);
      paths.push(file);
    }
    this.next.set(dir, n);
    return paths;
  }

  /** Reads one file of the temp store (a path `save` returned, or one relative to the root). */
  async load(file: string, keys?: readonly string[]): Promise<Record<string, NDArray>> {
    const abs = this.folder(file);
    if (!fs.existsSync(abs)) throw new Error(`temp store file ${file} does not exist; use the paths the save and download helpers returned`);
    return readHdf5(abs, keys);
  }
}
