// One process owns a data directory's running work: it recovers interrupted records, sweeps expired
// data and runs executions. Others (the store-only CLI commands, `compox run`) see who owns it here.
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../contract/errors.js";

export interface OwnerInfo {
  pid: number;
  /** The owner's HTTP address, once it serves one. */
  url?: string;
  started: string;
}

const FILE = "owner.json";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The live owner of `dataDir`, if any. */
export function readOwner(dataDir: string): OwnerInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), "utf8")) as OwnerInfo;
    return info.pid !== process.pid && alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export interface OwnerLock {
  /** Records the address the owner serves, for `compox run`. */
  setUrl(url: string): void;
  release(): void;
}

/** Takes ownership of `dataDir`; throws `data_dir_in_use` when a live process owns it. */
export function acquireOwnerLock(dataDir: string): OwnerLock {
  const file = path.join(dataDir, FILE);
  const other = readOwner(dataDir);
  if (other)
    throw new CompoxError("data_dir_in_use", `another Compox Desktop (pid ${other.pid}${other.url ? `, ${other.url}` : ""}) is running on ${dataDir}; stop it or use another --data-dir`, { ...other });
  const info: OwnerInfo = { pid: process.pid, started: new Date().toISOString() };
  const write = () => {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(info));
    fs.renameSync(tmp, file);
  };
  write();
  return {
    setUrl(url) {
      info.url = url;
      write();
    },
    release() {
      try {
        const current = JSON.parse(fs.readFileSync(file, "utf8")) as OwnerInfo;
        if (current.pid === process.pid) fs.rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
