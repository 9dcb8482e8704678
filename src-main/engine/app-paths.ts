// Where the application's own files are (bundled algorithms, SDK types), whether it runs from
// source (tsx), from dist/, or from a packaged app.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The folder holding the application's package.json. */
export function appRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "compox-desktop") return (cached = dir);
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find the compox-desktop package root");
    dir = parent;
  }
}

/** The algorithms shipped with the application, deployed at every start. */
export function bundledAlgorithmsDir(): string {
  return path.join(appRoot(), "algorithms");
}

/** Algorithm folders (those with a pyproject.toml) directly under `dir`, sorted. */
export function algorithmFoldersIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "pyproject.toml")))
    .map((d) => path.join(dir, d.name))
    .sort();
}
