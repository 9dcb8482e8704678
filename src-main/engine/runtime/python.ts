// Finds the Python interpreter for Python runners: the `python` setting, else the first of
// `python3`, `/usr/bin/python3` that can import numpy and h5py.
import { execFileSync } from "node:child_process";

export interface PythonCheck {
  command: string;
  ok: boolean;
  version?: string;
  /** What is missing or wrong, in words. */
  problem?: string;
}

const PROBE = "import sys\ntry:\n  import numpy, h5py\n  print(sys.version.split()[0], numpy.__version__, h5py.__version__)\nexcept ImportError as e:\n  print(sys.version.split()[0], 'missing', e.name)";

/** Checks one interpreter. */
export function checkPython(command: string): PythonCheck {
  try {
    const out = execFileSync(command, ["-c", PROBE], { encoding: "utf8", timeout: 15000, stdio: ["ignore", "pipe", "pipe"] }).trim();
    const [version, a, b] = out.split(/\s+/);
    if (a === "missing") return { command, ok: false, version, problem: `cannot import ${b}; install it for this interpreter (Debian: apt-get install python3-numpy python3-h5py)` };
    return { command, ok: true, version: `${version} (numpy ${a}, h5py ${b})` };
  } catch (err) {
    return { command, ok: false, problem: `cannot run: ${(err as Error).message.split("\n")[0]}` };
  }
}

/** The interpreter to use, and every candidate that was tried. */
export function findPython(setting?: string): { chosen?: PythonCheck; tried: PythonCheck[] } {
  const candidates = setting ? [setting] : ["python3", "/usr/bin/python3"];
  const tried: PythonCheck[] = [];
  for (const c of candidates) {
    const check = checkPython(c);
    tried.push(check);
    if (check.ok) return { chosen: check, tried };
  }
  return { tried };
}
