// Every temporary file or folder the application makes lives under the data directory, where a
// process killed mid-work leaves it; the owner removes them all at start. The stores sweep their
// own temp folders (blobs/tmp, datasets/tmp, training-temp); this covers the rest.
import fs from "node:fs";
import path from "node:path";

/** `<data>/tmp`: scratch space (e.g. an uploaded zip being unpacked). */
export function scratchDir(dataDir: string): string {
  const dir = path.join(dataDir, "tmp");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes scratch folders and half-written cache entries; returns how many it removed. */
export function sweepScratch(dataDir: string): number {
  let n = 0;
  const remove = (p: string) => {
    fs.rmSync(p, { recursive: true, force: true });
    n++;
  };
  const list = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const scratch = path.join(dataDir, "tmp");
  for (const name of list(scratch)) remove(path.join(scratch, name));
  const bundles = path.join(dataDir, "cache", "bundles");
  for (const name of list(bundles)) if (name.endsWith(".tmp")) remove(path.join(bundles, name));
  const py = path.join(dataDir, "cache", "py");
  for (const name of list(py)) if (name.startsWith(".")) remove(path.join(py, name));
  return n;
}
