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

/** The live owner of `dataDir`, if any; an owner.json left by a crash is ignored. */
export function readOwner(dataDir: string): OwnerInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, FILE), "utf8")) as OwnerInfo;
    return info.pid !== process.pid && alive(info) ? info : undefined;
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
    throw new CompoxError("data_dir_in_use", `another Compox Desktop (pid ${other.pid}${other.url ? `, ${other.url}` : ""}, started ${other.started}) is running on ${dataDir}; stop it or use another --data-dir`, { ...other });
  const info: OwnerInfo = { pid: process.pid, startTicks: processStartTicks(process.pid), started: new Date().toISOString() };
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
