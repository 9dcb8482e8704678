// The object store on a shared folder (NFS, SMB): the same keys as files under one root, written
// to a temp file and renamed, so a reader never sees half an object.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ObjectStore } from "./object-store.js";

/** Copies `from` to `to` through a temp file beside `to`, renamed into place. */
async function copyAtomic(from: string, to: string, signal?: AbortSignal): Promise<void> {
  await fs.promises.mkdir(path.dirname(to), { recursive: true });
  const tmp = `${to}.${randomUUID()}.part`;
  try {
    await pipeline(fs.createReadStream(from), fs.createWriteStream(tmp), { signal });
    await fs.promises.rename(tmp, to);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}

export class FileObjectStore implements ObjectStore {
  readonly description: string;

  constructor(private readonly root: string) {
    this.description = `folder ${root}`;
  }

  private pathOf(key: string): string {
    const p = path.resolve(this.root, key);
    if (!p.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`object key ${key} leaves the store`);
    return p;
  }

  putFile(key: string, file: string, signal?: AbortSignal): Promise<void> {
    return copyAtomic(file, this.pathOf(key), signal);
  }

  async getFile(key: string, file: string, signal?: AbortSignal): Promise<boolean> {
    if (!(await this.has(key))) return false;
    await copyAtomic(this.pathOf(key), file, signal);
    return true;
  }

  async stream(key: string): Promise<Readable | undefined> {
    return (await this.has(key)) ? fs.createReadStream(this.pathOf(key)) : undefined;
  }

  async has(key: string): Promise<boolean> {
    return fs.promises.access(this.pathOf(key)).then(
      () => true,
      () => false,
    );
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }

  async check(): Promise<void> {
    await fs.promises.mkdir(this.root, { recursive: true });
    await fs.promises.access(this.root, fs.constants.W_OK);
  }

  close(): void {}
}
