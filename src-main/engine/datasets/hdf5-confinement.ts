// HDF5 is read as data, never as a pointer. An HDF5 file can name other files: a dataset's raw
// data in an external file (/etc/passwd, say), an external link, a virtual dataset's sources.
// h5wasm's Node build reaches the real file system through `fs.openSync` (Emscripten's NODERAWFS),
// so while a section of h5wasm work runs (always synchronously, so nothing else in this thread runs
// meanwhile) that call may open the one file the section was given and nothing else. The refused
// paths are kept, so the caller can say which file the HDF5 tried to reach.
import fs from "node:fs";
import path from "node:path";

let allowed: string | undefined;
let refused: string[] = [];
let installed = false;

function isFile(file: fs.PathLike): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  const open = fs.openSync;
  // The wrapper stands in for every caller of fs.openSync; outside a section it only forwards.
  fs.openSync = function confinedOpenSync(this: unknown, file: fs.PathLike, ...rest: unknown[]) {
    if (allowed !== undefined && path.resolve(String(file)) !== allowed) {
      // Every other open is refused; only a file that holds data counts as reached for. HDF5 also
      // probes places that hold none (its plugin folder, absent here, when a file is not HDF5).
      if (isFile(file)) refused.push(String(file));
      throw Object.assign(new Error(`EACCES: an HDF5 file may not open ${String(file)}`), { code: "EACCES", errno: -13 });
    }
    return (open as (...a: unknown[]) => number).call(fs, file, ...rest);
  } as typeof fs.openSync;
}

/** What one confined section tried to open besides its own file. */
export interface Confined<T> {
  value?: T;
  error?: unknown;
  /** Paths the section tried to open and was refused. */
  refused: string[];
}

/** Runs `fn` (synchronous h5wasm work on `file`) with file opens limited to `file` itself; `fn`
 * sees the refusals as they happen. */
export function confinedTo<T>(file: string, fn: (refused: readonly string[]) => T): Confined<T> {
  install();
  if (allowed !== undefined) throw new Error("confinedTo sections do not nest");
  allowed = path.resolve(file);
  refused = [];
  try {
    return { value: fn(refused), refused };
  } catch (error) {
    return { error, refused };
  } finally {
    allowed = undefined;
  }
}
