// Python modules run from their sources on disk: each module's zip is extracted once into a folder
// named by its module_id (renamed into place, so a reader never sees a half-extracted module).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SourceFile } from "../deploy/folder-scan.js";

/** The folder holding the module's sources, extracting them on first use. */
export function extractModule(cacheDir: string, moduleId: string, sources: () => SourceFile[]): string {
  const target = path.join(cacheDir, moduleId);
  if (fs.existsSync(target)) return target;
  const tmp = path.join(cacheDir, `.${moduleId}.${randomUUID()}`);
  for (const file of sources()) {
    const dest = path.join(tmp, ...file.path.split("/"));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, file.content);
  }
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fs.renameSync(tmp, target);
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true }); // another process extracted it first
  }
  return target;
}
