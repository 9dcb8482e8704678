// The object store on a shared folder (NFS, SMB): the same keys as files under one root, written
// to a temp file and renamed, so a reader never sees half an object.
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { writeFileAtomically, type ObjectStore } from "./object-store.js";

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
    return writeFileAtomically(fs.createReadStream(file), this.pathOf(key), signal);
  }

  async getFile(key: string, file: string, signal?: AbortSignal): Promise<boolean> {
    if (!(await this.has(key))) return false;
    await writeFileAtomically(fs.createReadStream(this.pathOf(key)), file, signal);
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
