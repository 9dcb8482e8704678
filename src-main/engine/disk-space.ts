// A full disk is an answer, not a failure: writes that run out of space become a 507 naming the
// data directory and its free space, and a small reserve file kept in the data directory is given
// up so that the requests which free space (deleting a dataset, an algorithm) still work.
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../contract/errors.js";

/** Whether `err` says the disk (or the user's quota) is full, from Node, SQLite or HDF5. */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (e?.code === "ENOSPC" || e?.code === "EDQUOT" || e?.code === "SQLITE_FULL") return true;
  // SQLite's shared-memory file is grown on open; on a full disk that is how it fails.
  if (e?.code === "SQLITE_IOERR_SHMSIZE") return true;
  return /ENOSPC|No space left on device|database or disk is full|Disk quota exceeded/i.test(String(e?.message ?? ""));
}

/** Bytes free for this user on the file system holding `dir`, if it can be told. */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** The 507 that a write out of space answers with. */
export function diskFullError(dataDir: string): CompoxError {
  const free = freeBytes(dataDir);
  const left = free === undefined ? "" : ` (${(free / 2 ** 20).toFixed(1)} MB free)`;
  return new CompoxError("disk_full", `the disk holding the data directory ${dataDir} is full${left}; free space (delete datasets or algorithms you no longer need, or files on that disk) and try again`, { data_dir: dataDir, free_bytes: free ?? null });
}

const RESERVE_FILE = ".space-reserve";

/** A file of `bytes` kept in the data directory, given up when a space-freeing request needs room. */
export class DiskReserve {
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly bytes = 4 * 2 ** 20,
  ) {
    this.file = path.join(dataDir, RESERVE_FILE);
  }

  /** Creates the reserve where it is missing and there is room; never throws. */
  ensure(): void {
    try {
      if (fs.existsSync(this.file) && fs.statSync(this.file).size === this.bytes) return;
      if ((freeBytes(path.dirname(this.file)) ?? 0) < this.bytes + 2 ** 20) return; // not while space is short
      const tmp = `${this.file}.tmp`;
      fs.writeFileSync(tmp, Buffer.alloc(this.bytes));
      fs.renameSync(tmp, this.file);
    } catch {
      fs.rmSync(`${this.file}.tmp`, { force: true });
    }
  }

  /** Runs `fn`, which frees space; if the disk is too full even for that, gives up the reserve and runs it again. */
  async withRoom<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!isDiskFull(err) || !fs.existsSync(this.file)) throw err;
      fs.rmSync(this.file, { force: true });
      return await fn();
    }
  }
}
