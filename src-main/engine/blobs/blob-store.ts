// Content-addressed files: a blob's id is the SHA-256 of its bytes, so identical content is stored
// once however often it is referenced. Writes go to a temp file, are fsynced, then renamed into
// place, so a kill never leaves a half-written blob under a valid id.
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { blobKey, type ObjectStore } from "../storage/object-store.js";

export interface StoredBlob {
  id: string;
  size: number;
}

const ID_PATTERN = /^[0-9a-f]{64}$/;

/** SHA-256 of a buffer as lowercase hex. */
export function sha256(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The id a file would get in the store (SHA-256 of its content), read in chunks. */
export function blobIdOfFile(file: string): string {
  const hash = createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

export class BlobStore {
  readonly root: string;
  private readonly tmp: string;
  /** Blobs written here and not yet in the shared store (cluster mode). */
  private readonly unpublished = new Set<string>();

  /**
   * `shared` (cluster mode) is the store every node reads: blobs written here go to it on
   * `publish()`, and `fetch()` brings the ones a node needs but lacks; local files are copies.
   */
  constructor(
    root: string,
    private readonly shared?: ObjectStore,
  ) {
    this.root = root;
    this.tmp = path.join(root, "tmp");
    fs.mkdirSync(this.tmp, { recursive: true });
  }

  /** Where blob `id` lives (whether or not it exists). */
  pathOf(id: string): string {
    if (!ID_PATTERN.test(id)) throw new Error(`not a blob id: ${id}`);
    return path.join(this.root, id.slice(0, 2), id);
  }

  has(id: string): boolean {
    return fs.existsSync(this.pathOf(id));
  }

  read(id: string): Buffer {
    return fs.readFileSync(this.pathOf(id));
  }

  /** Stores bytes; returns their id. A no-op when the blob already exists. */
  putBuffer(data: Uint8Array): StoredBlob {
    const id = sha256(data);
    if (!this.has(id)) {
      const tmp = this.tempPath();
      const fd = fs.openSync(tmp, "w");
      try {
        fs.writeSync(fd, data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      this.commit(tmp, id);
    }
    if (this.shared) this.unpublished.add(id);
    return { id, size: data.byteLength };
  }

  /** Streams a file into the store (bounded memory for large assets). */
  async putFile(source: string, signal?: AbortSignal): Promise<StoredBlob> {
    const tmp = this.tempPath();
    const hash = createHash("sha256");
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(fs.createReadStream(source), tap, fs.createWriteStream(tmp), { signal });
      const fd = fs.openSync(tmp, "r+");
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    const id = hash.digest("hex");
    if (this.has(id)) fs.rmSync(tmp);
    else this.commit(tmp, id);
    if (this.shared) this.unpublished.add(id);
    return { id, size };
  }

  /** Uploads the blobs written since the last publish to the shared store (cluster mode): call
   * before recording anything that references them, so other nodes can always fetch them. */
  async publish(signal?: AbortSignal): Promise<void> {
    const { shared } = this;
    if (!shared) return;
    for (const id of [...this.unpublished]) {
      if (!(await shared.has(blobKey(id)))) await shared.putFile(blobKey(id), this.pathOf(id), signal);
      this.unpublished.delete(id);
    }
  }

  /** Makes local copies of the blobs among `ids` this node lacks (cluster mode). */
  async fetch(ids: Iterable<string>, signal?: AbortSignal): Promise<void> {
    const { shared } = this;
    if (!shared) return;
    for (const id of new Set(ids)) {
      if (this.has(id)) continue;
      if (!(await shared.getFile(blobKey(id), this.pathOf(id), signal))) throw new Error(`blob ${id} is in no store: not here, not in ${shared.description}`);
    }
  }

  /** Removes a blob (here and in the shared store); callers ensure nothing references it any more. */
  delete(id: string): void {
    fs.rmSync(this.pathOf(id), { force: true });
    this.unpublished.delete(id);
    void this.shared?.delete(blobKey(id)).catch(() => {}); // an orphan object costs space, not correctness
  }

  /** Removes temp files left by a process that was killed mid-write. */
  sweepTemp(): void {
    for (const name of fs.readdirSync(this.tmp)) fs.rmSync(path.join(this.tmp, name), { force: true });
  }

  private tempPath(): string {
    return path.join(this.tmp, `${randomUUID()}.part`);
  }

  private commit(tmp: string, id: string): void {
    const target = this.pathOf(id);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(tmp, target);
  }
}
