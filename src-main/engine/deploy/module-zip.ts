// The stored form of a module: its source files in a deterministic zip, identified by a hash of
// the sources alone, so the id never depends on the SDK, bundler or zip library version.
import { createHash } from "node:crypto";
import type AdmZipType from "adm-zip";
import { lazyRequire } from "../lazy-require.js";
import type { SourceFile } from "./folder-scan.js";

export const admZip = lazyRequire<typeof AdmZipType>("adm-zip");

// Zip entries carry a DOS timestamp; a fixed one keeps the bytes identical across deploys.
const FIXED_TIME = new Date(1980, 0, 1, 0, 0, 0);

function sorted<T extends { path: string }>(files: readonly T[]): T[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** SHA-256 over the sorted (path, content) pairs, each length-prefixed so no two sets collide. */
export function computeModuleId(sources: readonly SourceFile[]): string {
  const hash = createHash("sha256");
  for (const file of sorted(sources)) {
    const name = Buffer.from(file.path, "utf8");
    const header = Buffer.alloc(16);
    header.writeBigUInt64BE(BigInt(name.length), 0);
    header.writeBigUInt64BE(BigInt(file.content.length), 8);
    hash.update(header).update(name).update(file.content);
  }
  return hash.digest("hex");
}

/** Zips files with sorted entries and fixed timestamps. */
export function zipFiles(files: readonly SourceFile[]): Buffer {
  const zip = new (admZip())();
  for (const file of sorted(files)) {
    zip.addFile(file.path, file.content);
    const entry = zip.getEntry(file.path);
    if (entry) entry.header.time = FIXED_TIME;
  }
  return zip.toBuffer();
}

/** Reads the source files back from a module zip, sorted by path. */
export function unzipSources(zipBytes: Buffer): SourceFile[] {
  const zip = new (admZip())(zipBytes);
  const files = zip
    .getEntries()
    .filter((e) => !e.isDirectory)
    .map((e) => ({ path: e.entryName, content: e.getData() }));
  return sorted(files);
}
