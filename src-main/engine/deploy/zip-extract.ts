// Unpacks an uploaded algorithm zip into a folder, refusing entries that would land outside it and
// zips that unpack to more than the limits allow. Sizes are counted while inflating (a zip's
// headers can lie), one entry at a time, streamed to disk, so a zip bomb costs neither memory nor
// a blocked event loop.
import fs from "node:fs";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import type AdmZip from "adm-zip";
import { admZip } from "./module-zip.js";
import { CompoxError, DeployError, type Problem } from "../../contract/errors.js";
import { DEFAULT_SETTINGS, type Settings } from "../../contract/settings.js";

export interface ZipLimits {
  /** All entries together, unpacked (setting max_unzipped_mb). */
  maxTotalBytes: number;
  /** One entry, unpacked (setting max_zip_entry_mb). */
  maxEntryBytes: number;
  /** Files and folders (setting max_zip_entries). */
  maxEntries: number;
  /** How many times its compressed size an entry of over 1 MB may unpack to (setting max_zip_ratio). */
  maxRatio: number;
}

/** Entries up to this size unpack at any ratio (a small text file compresses far past 200:1). */
const RATIO_FREE_BYTES = 2 ** 20;

/** The zip limits that `settings` sets. */
export function zipLimitsOf(settings: Pick<Settings, "max_unzipped_mb" | "max_zip_entry_mb" | "max_zip_entries" | "max_zip_ratio">): ZipLimits {
  return { maxTotalBytes: settings.max_unzipped_mb * 2 ** 20, maxEntryBytes: settings.max_zip_entry_mb * 2 ** 20, maxEntries: settings.max_zip_entries, maxRatio: settings.max_zip_ratio };
}

/** Why a zip entry name is unsafe, or undefined when it is a plain relative path. */
export function unsafeEntryReason(name: string): string | undefined {
  if (name.includes("\0")) return "contains a NUL byte";
  const normalized = name.replace(/\\/g, "/");
  if (normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized)) return "is an absolute path";
  if (normalized.split("/").includes("..")) return "contains a '..' segment";
  return undefined;
}

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;

function tooLarge(message: string, setting: string, limit: number): CompoxError {
  return new CompoxError("limit_exceeded", `${message}; the limit is ${mb(limit)} (setting ${setting}): raise it or ship less`, { setting, limit_bytes: limit });
}

/** Counts bytes as they pass and fails the stream past `limit`. */
function counter(limit: number, onOver: () => Error, onBytes: (n: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      onBytes(chunk.length);
      if (seen > limit) done(onOver());
      else done(null, chunk);
    },
  });
}

/** Inflates one entry into `target`, checking its size and CRC as it goes. */
async function writeEntry(e: AdmZip.IZipEntry, target: string, label: string, limits: ZipLimits, total: { bytes: number }): Promise<void> {
  const { method, crc, encrypted } = e.header as unknown as { method: number; crc: number; encrypted: boolean };
  const bad = (message: string) => new DeployError([{ file: label, path: e.entryName, message }]);
  if (encrypted) throw bad("is encrypted; re-create the zip without a password");
  if (method !== 0 && method !== 8) throw bad(`uses compression method ${method}; use plain deflate (any zip tool's default)`);
  let raw: Buffer;
  try {
    raw = e.getCompressedData();
  } catch (err) {
    throw bad(`cannot be read (${(err as Error).message}); the zip is damaged: re-create it`);
  }
  let sum = 0;
  const overEntry = () => tooLarge(`zip entry ${e.entryName} unpacks to more than ${mb(limits.maxEntryBytes)}`, "max_zip_entry_mb", limits.maxEntryBytes);
  const overTotal = () => tooLarge(`${label} unpacks to more than ${mb(limits.maxTotalBytes)}`, "max_unzipped_mb", limits.maxTotalBytes);
  const stages: NodeJS.ReadWriteStream[] = [];
  if (method === 8) stages.push(zlib.createInflateRaw());
  stages.push(counter(limits.maxEntryBytes, overEntry, () => {}));
  // A bomb is refused by its ratio as it inflates, long before it reaches the size limits.
  const ratioLimit = Math.max(RATIO_FREE_BYTES, limits.maxRatio * raw.length);
  const overRatio = () =>
    new CompoxError("limit_exceeded", `zip entry ${e.entryName} unpacks to more than ${limits.maxRatio} times its compressed size (${raw.length} bytes), the limit for entries over 1 MB (setting max_zip_ratio): raise it or ship the file uncompressed`, { setting: "max_zip_ratio", limit: limits.maxRatio });
  stages.push(counter(ratioLimit, overRatio, () => {}));
  stages.push(counter(limits.maxTotalBytes - total.bytes, overTotal, (n) => (total.bytes += n)));
  stages.push(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        if (typeof zlib.crc32 === "function") sum = zlib.crc32(chunk, sum);
        done(null, chunk);
      },
    }),
  );
  try {
    await pipeline([Readable.from([raw]), ...stages, fs.createWriteStream(target)]);
  } catch (err) {
    if (err instanceof CompoxError) throw err;
    throw bad(`is corrupt (${(err as Error).message}); re-create the zip from the algorithm folder`);
  }
  if (typeof zlib.crc32 === "function" && sum >>> 0 !== crc >>> 0) throw bad("is corrupt (its checksum does not match); re-create the zip from the algorithm folder");
}

/** Names used both as a file and as a folder (`a` and `a/b`): no file system can hold both. */
function fileFolderClashes(names: readonly string[], label: string): Problem[] {
  const norm = names.map((n) => n.replace(/\\/g, "/"));
  const files = new Set(norm.filter((n) => !n.endsWith("/")));
  const out: Problem[] = [];
  for (const n of norm) {
    const parts = n.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      if (files.has(folder)) {
        out.push({ file: label, path: folder, message: `is both a file and the folder of ${n}; re-create the zip from the algorithm folder` });
        files.delete(folder); // once per name
      }
    }
  }
  return out;
}

/**
 * Extracts `zipBytes` into `dest` (which must be empty) and returns the algorithm folder inside
 * it: `dest` itself, or its single top-level folder when the zip wraps the algorithm in one.
 * Every unsafe entry is reported at once and nothing is written.
 */
export async function extractAlgorithmZip(zipBytes: Buffer, dest: string, label = "algorithm.zip", limits: ZipLimits = zipLimitsOf(DEFAULT_SETTINGS)): Promise<string> {
  let zip: AdmZip;
  let entries: AdmZip.IZipEntry[];
  try {
    zip = new (admZip())(zipBytes);
    entries = zip.getEntries();
  } catch (err) {
    throw new DeployError([{ file: label, path: "", message: `not a valid zip file: ${(err as Error).message}` }]);
  }
  if (entries.length > limits.maxEntries) throw tooLarge(`${label} has ${entries.length} entries, more than ${limits.maxEntries}`, "max_zip_entries", limits.maxEntries);
  const problems: Problem[] = [];
  for (const e of entries) {
    const reason = unsafeEntryReason(e.entryName);
    if (reason) problems.push({ file: label, path: e.entryName, message: `unsafe entry: ${reason}; re-create the zip from the algorithm folder` });
  }
  problems.push(...fileFolderClashes(entries.map((e) => e.entryName), label));
  if (problems.length > 0) throw new DeployError(problems);
  // The headers' own sizes refuse an honest oversized zip before anything is inflated.
  const declared = entries.reduce((n, e) => n + (e.header as unknown as { size: number }).size, 0);
  if (declared > limits.maxTotalBytes) throw tooLarge(`${label} unpacks to ${mb(declared)}`, "max_unzipped_mb", limits.maxTotalBytes);
  const total = { bytes: 0 };
  for (const e of entries) {
    const target = path.join(dest, ...e.entryName.replace(/\\/g, "/").split("/"));
    // Defence in depth: the resolved path must stay under dest.
    if (!path.resolve(target).startsWith(path.resolve(dest) + path.sep)) continue;
    if (e.isDirectory) fs.mkdirSync(target, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      await writeEntry(e, target, label, limits, total);
    }
  }
  if (fs.existsSync(path.join(dest, "pyproject.toml"))) return dest;
  const top = fs.readdirSync(dest, { withFileTypes: true }).filter((d) => !d.name.startsWith(".") && d.name !== "__MACOSX");
  if (top.length === 1 && top[0]?.isDirectory()) return path.join(dest, top[0].name);
  return dest;
}
