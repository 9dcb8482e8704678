// Finds the Python interpreter for Python runners: the `python` setting, else the first of
// `python3`, `/usr/bin/python3` that can import numpy and h5py.
import { execFileSync } from "node:child_process";

export interface PythonCheck {
  command: string;
  ok: boolean;
  version?: string;
  /** importlib.util.MAGIC_NUMBER as hex: the bytecode (.pyc) version this interpreter runs. */
  magic?: string;
  /** What is missing or wrong, in words. */
  problem?: string;
}

const PROBE =
  "import sys, importlib.util\nm = importlib.util.MAGIC_NUMBER.hex()\ntry:\n  import numpy, h5py\n  print(sys.version.split()[0], numpy.__version__, h5py.__version__, m)\nexcept ImportError as e:\n  print(sys.version.split()[0], 'missing', e.name, m)";

/** Checks one interpreter. */
export function checkPython(command: string): PythonCheck {
  try {
    const out = execFileSync(command, ["-c", PROBE], { encoding: "utf8", timeout: 15000, stdio: ["ignore", "pipe", "pipe"] }).trim();
    const [version, a, b, magic] = out.split(/\s+/);
    if (a === "missing") return { command, ok: false, version, magic, problem: `cannot import ${b}; install it for this interpreter (Debian: apt-get install python3-numpy python3-h5py)` };
    return { command, ok: true, version: `${version} (numpy ${a}, h5py ${b})`, magic };
  } catch (err) {
    return { command, ok: false, problem: `cannot run: ${(err as Error).message.split("\n")[0]}` };
  }
}

// The first bytecode magic number of each Python release (CPython's importlib/_bootstrap_external.py).
const MAGIC_BY_VERSION: [number, string][] = [
  [3413, "3.8"],
  [3425, "3.9"],
  [3439, "3.10"],
  [3495, "3.11"],
  [3531, "3.12"],
  [3571, "3.13"],
  [3600, "3.14"],
];

/** The Python release a .pyc's 4-byte magic (hex) was written by, e.g. "3.11", or undefined. */
export function pythonOfMagic(magicHex: string): string | undefined {
  const n = Buffer.from(magicHex, "hex").readUInt16LE(0);
  let found: string | undefined;
  for (const [first, version] of MAGIC_BY_VERSION) if (n >= first) found = version;
  return found;
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
