// Unpacks an uploaded algorithm zip into a folder, refusing entries that would land outside it.
import fs from "node:fs";
import path from "node:path";
import AdmZip from "adm-zip";
import { DeployError, type Problem } from "../../contract/errors.js";

/** Why a zip entry name is unsafe, or undefined when it is a plain relative path. */
export function unsafeEntryReason(name: string): string | undefined {
  if (name.includes("\0")) return "contains a NUL byte";
  const normalized = name.replace(/\\/g, "/");
  if (normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized)) return "is an absolute path";
  if (normalized.split("/").includes("..")) return "contains a '..' segment";
  return undefined;
}

/**
 * Extracts `zipFile` into `dest` (which must be empty) and returns the algorithm folder inside it:
 * `dest` itself, or its single top-level folder when the zip wraps the algorithm in one.
 * Every unsafe entry is reported at once and nothing is written.
 */
export function extractAlgorithmZip(zipBytes: Buffer, dest: string, label = "algorithm.zip"): string {
  let zip: AdmZip;
  try {
    zip = new AdmZip(zipBytes);
  } catch (err) {
    throw new DeployError([{ file: label, path: "", message: `not a valid zip file: ${(err as Error).message}` }]);
  }
  const entries = zip.getEntries();
  const problems: Problem[] = [];
  for (const e of entries) {
    const reason = unsafeEntryReason(e.entryName);
    if (reason) problems.push({ file: label, path: e.entryName, message: `unsafe entry: ${reason}; re-create the zip from the algorithm folder` });
  }
  if (problems.length > 0) throw new DeployError(problems);
  for (const e of entries) {
    const target = path.join(dest, ...e.entryName.replace(/\\/g, "/").split("/"));
    // Defence in depth: the resolved path must stay under dest.
    if (!path.resolve(target).startsWith(path.resolve(dest) + path.sep)) continue;
    if (e.isDirectory) fs.mkdirSync(target, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, e.getData());
    }
  }
  if (fs.existsSync(path.join(dest, "pyproject.toml"))) return dest;
  const top = fs.readdirSync(dest, { withFileTypes: true }).filter((d) => !d.name.startsWith(".") && d.name !== "__MACOSX");
  if (top.length === 1 && top[0]?.isDirectory()) return path.join(dest, top[0].name);
  return dest;
}
