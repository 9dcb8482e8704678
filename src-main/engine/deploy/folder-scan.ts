// Reads an algorithm folder and sorts its files into module sources and assets (SPEC section 1).
import fs from "node:fs";
import path from "node:path";
import type { Problem } from "../../contract/errors.js";

export type Language = "ts" | "py";

export const ENTRY_POINTS = ["Runner.ts", "Runner.js", "Runner.py"] as const;
const TS_SOURCES = [".ts", ".mts", ".js", ".mjs"];
const PY_SOURCES = [".py"];

export interface SourceFile {
  /** POSIX path relative to the folder. */
  path: string;
  content: Buffer;
}

export interface AssetFile {
  path: string;
  /** Absolute path of the file on disk, read when stored. */
  source: string;
  size: number;
}

export interface ScannedFolder {
  root: string;
  pyproject: string | undefined;
  entryPoint: string | undefined;
  language: Language | undefined;
  sources: SourceFile[];
  assets: AssetFile[];
  problems: Problem[];
}

/** Files that belong to neither the module nor the assets (bytecode is sorted out by scanFolder). */
export function isIgnored(relPath: string): boolean {
  const parts = relPath.split("/");
  if (relPath === "pyproject.toml") return true;
  return parts.some((p) => p.startsWith(".") || p === "node_modules" || p === "__pycache__");
}

/** Is `relPath` one of the module's source files, for an algorithm in `language`? With
 * `bytecode` (a folder Compox exported: Runner.pyc and no Runner.py) .pyc files are sources too. */
export function isSource(relPath: string, language: Language, bytecode = false): boolean {
  const ext = path.posix.extname(relPath);
  if (language === "py" && bytecode && ext === ".pyc") return true;
  return (language === "py" ? PY_SOURCES : TS_SOURCES).includes(ext);
}

/** The entry point of a module of bytecode only, as Compox 3.2 exports it (pyc_only). */
export const BYTECODE_ENTRY = "Runner.pyc";

interface Listed {
  rel: string;
  abs: string;
  size: number;
}

/** More files than this and the folder is surely not an algorithm folder (a home folder, `/`). */
export const MAX_FOLDER_FILES = 20000;

/** Walks the folder, following symlinks that stay inside it; reports those that leave it. */
function listFiles(root: string, problems: Problem[]): Listed[] {
  const realRoot = fs.realpathSync(root);
  const out: Listed[] = [];
  const visitedDirs = new Set<string>([realRoot]);
  let tooMany = false;
  const walk = (dir: string, relDir: string) => {
    if (tooMany) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ file: relDir || ".", path: "", message: `cannot read folder: ${(err as Error).message}` });
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (out.length >= MAX_FOLDER_FILES) {
        tooMany = true;
        problems.push({ file: ".", path: "", message: `more than ${MAX_FOLDER_FILES} files: this does not look like an algorithm folder; give the folder that holds pyproject.toml and Runner.*` });
        return;
      }
      const rel = relDir ? `${relDir}/${entry.name}` : entry.name;
      const abs = path.join(dir, entry.name);
      if (isIgnored(rel)) continue;
      if (entry.name.includes("\\")) {
        // Windows and zip tools read "\" as a folder separator: such a name would not survive export and import.
        problems.push({ file: rel, path: "", message: "the name contains a backslash (\\); rename it: Windows and zip tools read it as a folder separator" });
        continue;
      }
      let target = abs;
      if (entry.isSymbolicLink()) {
        let real: string;
        try {
          real = fs.realpathSync(abs);
        } catch {
          problems.push({ file: rel, path: "", message: `cannot read: the symlink points at "${fs.readlinkSync(abs)}", which does not exist; fix or remove the link` });
          continue;
        }
        if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
          problems.push({ file: rel, path: "", message: `symlink leaves the algorithm folder (→ ${real}); copy the file into the folder instead` });
          continue;
        }
        target = real;
      }
      let stat: fs.Stats;
      try {
        stat = fs.statSync(target);
      } catch (err) {
        problems.push({ file: rel, path: "", message: `cannot read: ${(err as Error).message}` });
        continue;
      }
      if (stat.isDirectory()) {
        let real: string;
        try {
          real = fs.realpathSync(target);
        } catch (err) {
          problems.push({ file: rel, path: "", message: `cannot read folder: ${(err as Error).message}` });
          continue;
        }
        if (visitedDirs.has(real)) continue; // a link loop back into the folder
        visitedDirs.add(real);
        walk(target, rel);
      } else if (stat.isFile()) {
        try {
          fs.accessSync(target, fs.constants.R_OK);
          out.push({ rel, abs: target, size: stat.size });
        } catch (err) {
          problems.push({ file: rel, path: "", message: `cannot read: ${(err as Error).message}; check its permissions` });
        }
      }
    }
  };
  walk(realRoot, "");
  return out;
}

/** Scans a folder; structural problems are collected, not thrown, so they are reported together. */
export function scanFolder(root: string): ScannedFolder {
  const problems: Problem[] = [];
  const result: ScannedFolder = { root, pyproject: undefined, entryPoint: undefined, language: undefined, sources: [], assets: [], problems };
  const pyprojectPath = path.join(root, "pyproject.toml");
  if (fs.existsSync(pyprojectPath)) result.pyproject = fs.readFileSync(pyprojectPath, "utf8");
  else {
    // Not an algorithm folder: say so without walking what may be a whole disk.
    const hasRunner = ENTRY_POINTS.some((e) => fs.existsSync(path.join(root, e)));
    problems.push({ file: path.join(root, "pyproject.toml"), path: "", message: `missing: every algorithm folder needs a pyproject.toml with [project] name and version (see \`compox new\`)${hasRunner ? "" : "; this folder has no Runner.ts, Runner.js or Runner.py either: is it the algorithm folder?"}` });
    return result;
  }

  const files = listFiles(root, problems);
  const entries = files.filter((f) => (ENTRY_POINTS as readonly string[]).includes(f.rel)).map((f) => f.rel);
  if (entries.length === 0 && files.some((f) => f.rel === BYTECODE_ENTRY)) entries.push(BYTECODE_ENTRY);
  if (entries.length === 0) {
    problems.push({ file: "Runner.ts", path: "", message: "no entry point: add exactly one of Runner.ts, Runner.js or Runner.py defining class Runner" });
  } else if (entries.length > 1) {
    problems.push({ file: entries.join(", "), path: "", message: `${entries.length} entry points: keep exactly one of ${entries.join(", ")}` });
  } else {
    result.entryPoint = entries[0];
    result.language = entries[0] === "Runner.py" || entries[0] === BYTECODE_ENTRY ? "py" : "ts";
  }
  const language = result.language ?? "ts";
  const bytecode = result.entryPoint === BYTECODE_ENTRY;
  for (const f of files) {
    // Stray bytecode beside sources is a cache, not part of the algorithm.
    if (f.rel.endsWith(".pyc") && !bytecode) continue;
    if (isSource(f.rel, language, bytecode)) {
      try {
        result.sources.push({ path: f.rel, content: fs.readFileSync(f.abs) });
      } catch (err) {
        problems.push({ file: f.rel, path: "", message: `cannot read: ${(err as Error).message}` });
      }
    }
    else result.assets.push({ path: f.rel, source: f.abs, size: f.size });
  }
  return result;
}
