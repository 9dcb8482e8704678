// The shared object store of cluster mode: where datasets (datasets/<id>.h5) and blobs (modules,
// assets, checkpoint files: blobs/<sha256>) live for every node. Each node keeps local files as
// its working copies (the runners and HDF5 readers need paths); this store is the shared truth.
// Two implementations: S3-compatible storage (s3-object-store.ts) and a shared folder
// (file-object-store.ts); one conformance suite runs against both.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface ObjectStore {
  /** Where it stores, for messages (no secrets). */
  readonly description: string;
  /** Uploads a local file as `key` (whole or not at all). */
  putFile(key: string, file: string, signal?: AbortSignal): Promise<void>;
  /** Downloads `key` to `file` (a temp file renamed into place); false when there is no such object. */
  getFile(key: string, file: string, signal?: AbortSignal): Promise<boolean>;
  /** The object's bytes as a stream, or undefined when there is no such object. */
  stream(key: string, signal?: AbortSignal): Promise<Readable | undefined>;
  has(key: string): Promise<boolean>;
  /** Deletes `key`; deleting what is not there is not an error. */
  delete(key: string): Promise<void>;
  /** Checks that the store answers and may be written (`compox doctor`); throws saying what is wrong. */
  check(): Promise<void>;
  close(): void;
}

/** The key of a dataset's HDF5 file. */
export const datasetKey = (id: string) => `datasets/${id}.h5`;
/** The key of a content-addressed blob. */
export const blobKey = (id: string) => `blobs/${id}`;

/** Writes `source` to `file` through a temp file beside it, renamed into place: a reader never sees half a file. */
export async function writeFileAtomically(source: Readable, file: string, signal?: AbortSignal): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomUUID()}.part`;
  try {
    await pipeline(source, fs.createWriteStream(tmp), { signal });
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}
