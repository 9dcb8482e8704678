// A runner process leads a process group of its own, so whatever an algorithm starts (a
// subprocess, a shell pipeline, a server it forgot) can be ended with it: the whole group at
// stop, unload or death, and the runner's descendants after each job. POSIX only; on Windows
// the runner is a plain child and only it is ended.
import fs from "node:fs";

/** Whether runners get a process group of their own (spawn's `detached`). */
export const OWN_GROUP = process.platform !== "win32";

/** Ends every process of the group `leader` leads, the leader included. */
export function killGroup(leader: number | undefined): void {
  if (!OWN_GROUP || leader === undefined) return;
  try {
    process.kill(-leader, "SIGKILL");
  } catch {
    // ESRCH: the group is empty already.
  }
}

/** Whether `pid` has child processes now (Linux's per-thread children lists; false elsewhere). */
function hasChildren(pid: number): boolean {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).some((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim() !== "");
  } catch {
    return false;
  }
}

/** Processes of the group `leader` leads, other than the leader (children reparented away included). */
function groupMembers(leader: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === leader) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp === leader) out.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** The other members of the group `leader` leads now, when it has children at all (none elsewhere than Linux). */
export function descendants(leader: number | undefined): number[] {
  if (!OWN_GROUP || leader === undefined || !hasChildren(leader)) return [];
  return groupMembers(leader);
}

/**
 * Ends what a job left running under a warm runner: every other member of its group but `keep`
 * (what loading the algorithm started: a model server it holds for every job), when it has
 * children at all (a cheap check, so a job that starts none pays ~0.1 ms). Returns how many ended.
 */
export function endDescendants(leader: number | undefined, keep: ReadonlySet<number> = new Set()): number {
  const members = descendants(leader).filter((pid) => !keep.has(pid));
  for (const pid of members) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  return members.length;
}
