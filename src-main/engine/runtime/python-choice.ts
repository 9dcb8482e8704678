// The Python interpreter Python algorithms run on: found once, on first need (from the `python`
// setting, else the usual candidates), and found again when the setting changes.
import { CompoxError } from "../../contract/errors.js";
import { checkPython, findPython, pythonOfMagic, type PythonCheck } from "./python.js";

export class PythonChoice {
  private found: ReturnType<typeof findPython> | undefined;

  /** `setting`: the python setting, read when the interpreter is looked for. */
  constructor(private readonly setting: () => string | undefined) {}

  /** Why Python algorithms cannot run here, or undefined when they can. */
  problem(): string | undefined {
    this.found ??= findPython(this.setting());
    const { chosen, tried } = this.found;
    return chosen
      ? undefined
      : `Python algorithms need a Python 3 with numpy and h5py (${tried.map((t) => `${t.command}: ${t.problem}`).join("; ")}); install them (Debian: apt-get install python3-numpy python3-h5py) or set the python setting; \`compox doctor\` checks`;
  }

  /** The interpreter's command, or undefined when there is none. */
  commandIfAny(): string | undefined {
    return this.problem() ? undefined : this.found?.chosen?.command;
  }

  /** The interpreter's command; throws, saying how to get one, when there is none. */
  command(): string {
    const problem = this.problem();
    if (problem) throw new CompoxError("internal_error", problem);
    return this.found?.chosen?.command as string;
  }

  /** Why bytecode with `magic` cannot run on the chosen interpreter, or undefined when it can. */
  bytecodeProblem(magic: string): string | undefined {
    const ours = this.found?.chosen?.magic;
    if (!ours || ours === magic) return undefined;
    const needed = pythonOfMagic(magic) ?? "another Python";
    return `Runner.pyc is bytecode for Python ${needed}, but ${this.found?.chosen?.command} is Python ${pythonOfMagic(ours) ?? this.found?.chosen?.version}: bytecode runs only on the Python that wrote it. Deploy the algorithm's sources, or set the python setting to a Python ${needed} with numpy and h5py`;
  }

  /** Looks again, as `compox doctor` reports it: the chosen interpreter and every candidate tried. */
  check(): { chosen: PythonCheck | null; tried: PythonCheck[] } {
    this.found = findPython(this.setting());
    return { chosen: this.found.chosen ?? null, tried: this.found.tried };
  }

  /** Refuses an interpreter setting that does not answer (it would fail every Python algorithm later, far from the cause). */
  static assertUsable(command: string): void {
    const check = checkPython(command);
    if (!check.ok) throw new CompoxError("invalid_request", `python "${command}" is not a usable interpreter (${check.problem}); give a Python 3 with numpy and h5py, or clear the setting`, { setting: "python" });
  }

  /** Forgets the interpreter found: the next need looks again (the setting changed). */
  reset(): void {
    this.found = undefined;
  }
}
