// One process owns a data directory's running work: it recovers interrupted records, sweeps expired
// data and runs executions. Others (the store-only CLI commands, `compox run`) see who owns it here.
import fs from "node:fs";
import path from "node:path";
import { CompoxError } from "../contract/errors.js";

export interface OwnerInfo {
  pid: number;
  /** When the process started (Linux: clock ticks since boot), so a reused PID is not taken for it. */
  startTicks?: number;
  /** The owner's HTTP address, once it serves one. */
  url?: string;
  started: string;
}

const FILE = "owner.json";

/** A process's start time from /proc (Linux), or undefined where there is none. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22; the command name (field 2) may hold spaces and parentheses, so count from its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `info` still runs: same PID and, where known, same start time. */
function alive(info: OwnerInfo): boolean {
  try {
    process.kill(info.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = processStartTicks(info.pid);
  return info.startTicks === undefined || now === undefined || now === info.startTicks;
}

/** The live owner of `dataDir`, if any; an owner.json left by a crash (or released) is ignored. */
export function readOwner(dataDir: string): OwnerInfo | undefined {
  const info = readOwnerRecord(path.join(dataDir, FILE));
  return info && info.pid > 0 && info.pid !== process.pid && alive(info) ? info : undefined;
}

export interface OwnerLock {
  /** Records the address the owner serves, for `compox run`. */
  setUrl(url: string): void;
  release(): void;
}

/** owner.json's fixed size: every rewrite overwrites the same bytes, so none needs new disk space
 * and a full disk can neither stop the owner from starting nor leave the file half-written. */
const SIZE = 4096;

function padded(info: OwnerInfo | { pid: 0; released: string }): Buffer {
  const json = Buffer.from(JSON.stringify(info));
  if (json.length > SIZE) throw new Error(`owner record over ${SIZE} bytes`);
  const out = Buffer.alloc(SIZE, 0x20);
  json.copy(out);
  return out;
}

/** Writes `bytes` over the start of `file` (created if `create`), durably. */
function overwrite(file: string, bytes: Buffer, create: boolean): void {
  const fd = fs.openSync(file, create ? "wx" : "r+");
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Takes ownership of `dataDir` (before anything else is written there); throws `data_dir_in_use`
 * when a live process owns it. */
export function acquireOwnerLock(dataDir: string): OwnerLock {
  const file = path.join(dataDir, FILE);
  const info: OwnerInfo = { pid: process.pid, startTicks: processStartTicks(process.pid), started: new Date().toISOString() };
  const write = () => overwrite(file, padded(info), false);
  try {
    overwrite(file, padded(info), true); // the first start on this directory: created exclusively
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const other = readOwner(dataDir);
    if (other)
      throw new CompoxError("data_dir_in_use", `another Compox Desktop (pid ${other.pid}${other.url ? `, ${other.url}` : ""}, started ${other.started}) is running on ${dataDir}; stop it or use another --data-dir`, { ...other });
    write();
  }
  // Two processes taking a stale lock at once: the last write wins, and the other sees it here.
  const now = readOwnerRecord(file);
  if (now?.pid !== process.pid) throw new CompoxError("data_dir_in_use", `another Compox Desktop (pid ${now?.pid}) took ${dataDir} at the same moment; stop it or use another --data-dir`, { ...now });
  return {
    setUrl(url) {
      info.url = url;
      write();
    },
    release() {
      try {
        if (readOwnerRecord(file)?.pid === process.pid) overwrite(file, padded({ pid: 0, released: new Date().toISOString() }), false);
      } catch {
        // already gone
      }
    },
  };
}

function readOwnerRecord(file: string): OwnerInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as OwnerInfo;
  } catch {
    return undefined;
  }
}
