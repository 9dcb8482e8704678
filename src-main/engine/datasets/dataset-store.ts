// Datasets: HDF5 files under <data>/datasets/<uuid>.h5 plus a metadata row. Every write goes to a
// temp file that is validated, fsynced and renamed, so a kill never leaves a half file under an id.
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform, type Readable } from "node:stream";
import { createHash, randomUUID } from "node:crypto";
import { v1 as uuidv1 } from "uuid";
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import type { NDArray } from "../../contract/ndarray.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { Db } from "../store/db.js";
import { inspectHdf5, keysOfArrays, readHdf5, writeHdf5, type KeyInfo } from "./hdf5.js";
import { openImage, type ImportLimits } from "./image-import.js";
import type { ObjectStore } from "../storage/object-store.js";

export interface DatasetInfo {
  file_id: string;
  size: number;
  keys: Record<string, KeyInfo>;
  name: string | null;
  time_created: string;
  expires: string | null;
}

interface DatasetRow {
  file_id: string;
  size: number;
  keys_json: string;
  name: string | null;
  time_created: string;
  created_ms: number;
  expires_ms: number | null;
}

export interface DatasetStoreOptions {
  db: Db;
  dir: string;
  now: () => Date;
  /** 0 = never expire. */
  expiryDays: () => number;
  /** Cluster mode: the store every node reads datasets from; local files are copies. */
  shared?: ObjectStore;
}

const DAY_MS = 24 * 3600 * 1000;
/** Uploads reach the disk in writes of at least this size. */
const UPLOAD_WRITE_BYTES = 4 << 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Compox lets a presigned upload name a dataset anything (one URL path segment); ids are those
 * names. Refused: empty, over 255 characters, slashes and control characters. */
export function isDatasetId(id: string): boolean {
  // eslint-disable-next-line no-control-regex
  return id.length > 0 && id.length <= 255 && !/[/\\\u0000-\u001f\u007f]/.test(id);
}

export class DatasetStore {
  private readonly tmp: string;

  constructor(private readonly opts: DatasetStoreOptions) {
    this.tmp = path.join(opts.dir, "tmp");
    fs.mkdirSync(this.tmp, { recursive: true });
  }

  /** Where dataset `id` lives on disk; only for ids that passed `get`. */
  pathOf(id: string): string {
    // Names other than our own UUIDs may hold anything a file name may not: hash them.
    return path.join(this.opts.dir, UUID.test(id) ? `${id}.h5` : `name-${createHash("sha256").update(id).digest("hex")}.h5`);
  }

  async get(id: string): Promise<DatasetInfo | undefined> {
    if (!isDatasetId(id)) return undefined;
    const row = await this.opts.db.get<DatasetRow>("SELECT * FROM datasets WHERE file_id = ?", id);
    return row && this.toInfo(row);
  }

  /** The dataset's info, or a 404 naming the id. */
  async require(id: string): Promise<DatasetInfo> {
    const info = await this.get(id);
    if (!info) throw new NotFoundError("dataset_not_found", `dataset ${id} not found (it may have expired or been deleted)`);
    return info;
  }

  /** The ids among `ids` that do not exist. */
  async missing(ids: readonly string[]): Promise<string[]> {
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return ids.filter((_, i) => !found[i]);
  }

  /** Newest first; `before` is a file_id to page from. */
  async list(limit = 50, before?: string): Promise<DatasetInfo[]> {
    const anchor = before ? (await this.opts.db.column<number>("SELECT created_ms FROM datasets WHERE file_id = ?", before))[0] : undefined;
    const rows =
      anchor === undefined
        ? await this.opts.db.all<DatasetRow>("SELECT * FROM datasets ORDER BY created_ms DESC, file_id DESC LIMIT ?", limit)
        : await this.opts.db.all<DatasetRow>("SELECT * FROM datasets WHERE created_ms < ? ORDER BY created_ms DESC, file_id DESC LIMIT ?", anchor, limit);
    return rows.map((r) => this.toInfo(r));
  }

  /** Stores an HDF5 stream (an upload); refuses files that are not HDF5 or exceed `maxBytes`. */
  async putStream(body: Readable, opts: { maxBytes: number; signal?: AbortSignal; name?: string; id?: string }): Promise<DatasetInfo> {
    const tmp = this.tempPath();
    let size = 0;
    // Checks the limit as bytes arrive, and hands the file large writes instead of socket-sized ones.
    let held: Buffer[] = [];
    let heldBytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > opts.maxBytes) return done(new CompoxError("upload_too_large", `the upload exceeds max_upload_mb (${Math.round(opts.maxBytes / 2 ** 20)} MB); raise the setting to accept larger files`));
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes < UPLOAD_WRITE_BYTES) return done();
        const out = Buffer.concat(held, heldBytes);
        held = [];
        heldBytes = 0;
        done(null, out);
      },
      flush(done) {
        done(null, heldBytes > 0 ? Buffer.concat(held, heldBytes) : undefined);
      },
    });
    try {
      await pipeline(body, limit, fs.createWriteStream(tmp), { signal: opts.signal });
      return await this.commitFile(tmp, opts.name ?? null, opts.id);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Stores arrays as one dataset (runner outputs, imported images). */
  async putArrays(items: Readonly<Record<string, NDArray>>, name: string | null = null): Promise<DatasetInfo> {
    const tmp = this.tempPath();
    try {
      await writeHdf5(tmp, items);
      return await this.commitFile(tmp, name, undefined, keysOfArrays(items));
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Stores an already written HDF5 file (e.g. one a runner process wrote); moves it. `keys`, from
   * the writer that just wrote the file (keysOfArrays), spares reading it back. */
  async putFile(file: string, name: string | null = null, keys?: Record<string, KeyInfo>): Promise<DatasetInfo> {
    const tmp = this.tempPath();
    fs.renameSync(file, tmp);
    try {
      return await this.commitFile(tmp, name, undefined, keys);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Imports a PNG/JPEG/TIFF: one dataset per page under the key `image`, decoded and stored one
   * page at a time. A failure or an abort (the client went) removes the pages already stored.
   */
  async importImage(bytes: Buffer, name: string, limits: ImportLimits, signal?: AbortSignal): Promise<DatasetInfo[]> {
    const out: DatasetInfo[] = [];
    try {
      const { count, pages } = await openImage(bytes, name, limits);
      for await (const image of pages) {
        signal?.throwIfAborted();
        out.push(await this.putArrays({ image }, count > 1 ? `${name} [${out.length + 1}]` : name));
      }
      return out;
    } catch (err) {
      for (const info of out) await this.delete(info.file_id);
      throw err;
    }
  }

  async read(id: string, keys?: readonly string[]): Promise<Record<string, NDArray>> {
    return readHdf5(await this.localPath(id), keys);
  }

  /** The dataset's file on this node (fetched from the shared store first if this node lacks it), or a 404. */
  async localPath(id: string, signal?: AbortSignal): Promise<string> {
    await this.require(id);
    const file = this.pathOf(id);
    const { shared } = this.opts;
    if (!shared || fs.existsSync(file)) return file;
    if (!(await shared.getFile(this.keyOf(id), file, signal))) throw new NotFoundError("dataset_not_found", `dataset ${id} is recorded but its file is not in ${shared.description}`);
    return file;
  }

  /** The dataset's key in the shared store. */
  private keyOf(id: string): string {
    return `datasets/${path.basename(this.pathOf(id))}`;
  }

  /**
   * Deletes a dataset; false when it did not exist. The id is gone at once; the file is moved
   * into tmp/ (a rename) and unlinked off the request path — a crash in between leaves it to the
   * start-up sweep of tmp/.
   */
  async delete(id: string): Promise<boolean> {
    if (!(await this.get(id))) return false;
    await this.opts.db.run("DELETE FROM datasets WHERE file_id = ?", id);
    void this.opts.shared?.delete(this.keyOf(id)).catch(() => {}); // an orphan object costs space, not correctness
    const doomed = this.tempPath();
    try {
      fs.renameSync(this.pathOf(id), doomed);
    } catch {
      return true; // no file (already gone): nothing to unlink
    }
    void fs.promises.rm(doomed, { force: true }).catch(() => {});
    return true;
  }

  /** Removes expired datasets and stray temp files; returns how many datasets went. */
  async sweepExpired(protectedIds: ReadonlySet<string> = new Set()): Promise<number> {
    const now = this.opts.now().getTime();
    const ids = await this.opts.db.column<string>("SELECT file_id FROM datasets WHERE expires_ms IS NOT NULL AND expires_ms <= ?", now);
    let n = 0;
    for (const id of ids) if (!protectedIds.has(id) && (await this.delete(id))) n++;
    return n;
  }

  /**
   * Cluster mode: removes this node's copies of datasets that no longer exist (deleted or expired
   * on another node); returns how many. Copies of live datasets stay, as a cache.
   */
  async sweepStaleCopies(): Promise<number> {
    if (!this.opts.shared) return 0;
    let n = 0;
    for (const name of fs.readdirSync(this.opts.dir)) {
      const id = name.endsWith(".h5") ? name.slice(0, -3) : "";
      if (!UUID.test(id) || (await this.get(id))) continue;
      fs.rmSync(path.join(this.opts.dir, name), { force: true });
      n++;
    }
    return n;
  }

  /** Removes temp files left by a process killed mid-write (call at start only). */
  sweepTemp(): void {
    for (const f of fs.readdirSync(this.tmp)) fs.rmSync(path.join(this.tmp, f), { force: true });
  }

  /** A fresh temp path inside the store (same file system, so renames are atomic). */
  tempPath(ext = ".part"): string {
    return path.join(this.tmp, `${randomUUID()}${ext}`);
  }

  private async commitFile(tmp: string, name: string | null, wantedId?: string, known?: Record<string, KeyInfo>): Promise<DatasetInfo> {
    let keys: Record<string, KeyInfo>;
    try {
      keys = known ?? (await inspectHdf5(tmp));
    } catch (err) {
      if (err instanceof CompoxError) throw err; // a valid HDF5 that is refused says why
      throw new CompoxError("invalid_hdf5", "The provided file is not a valid hdf5 file.");
    }
    // Durable before it is recorded; off the event loop, which a large file's fsync would block.
    const handle = await fs.promises.open(tmp, "r+");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const id = wantedId ?? uuidv1();
    const now = this.opts.now();
    const days = this.opts.expiryDays();
    const row: DatasetRow = {
      file_id: id,
      size: fs.statSync(tmp).size,
      keys_json: JSON.stringify(keys),
      name,
      time_created: formatCompoxTime(now),
      created_ms: now.getTime(),
      expires_ms: days > 0 ? now.getTime() + days * DAY_MS : null,
    };
    fs.renameSync(tmp, this.pathOf(id));
    // In the shared store before it is recorded: a node that sees the record can fetch the file.
    await this.opts.shared?.putFile(this.keyOf(id), this.pathOf(id));
    await this.opts.db.run(`INSERT INTO datasets (file_id, size, keys_json, name, time_created, created_ms, expires_ms) VALUES (@file_id, @size, @keys_json, @name, @time_created, @created_ms, @expires_ms)
         ON CONFLICT (file_id) DO UPDATE SET size = excluded.size, keys_json = excluded.keys_json, name = excluded.name, time_created = excluded.time_created, created_ms = excluded.created_ms, expires_ms = excluded.expires_ms`, row);
    return this.toInfo(row);
  }

  private toInfo(r: DatasetRow): DatasetInfo {
    return {
      file_id: r.file_id,
      size: r.size,
      keys: JSON.parse(r.keys_json) as Record<string, KeyInfo>,
      name: r.name,
      time_created: r.time_created,
      expires: r.expires_ms === null ? null : formatCompoxTime(new Date(r.expires_ms)),
    };
  }
}
