// Test support: algorithm folders and data directories in temp space, removed by their owner.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A temp folder that removes itself with `await using` / `using`. */
export function tempDir(prefix = "compox-test-"): { path: string; [Symbol.dispose](): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: dir, [Symbol.dispose]: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → content) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): string {
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
  return dir;
}

/** A pyproject.toml for tests. */
export function pyproject(name: string, version: string, extra = ""): string {
  return `[project]\nname = "${name}"\nversion = "${version}"\n\n[tool.compox]\nalgorithm_type = "Image2Image"\ndescription = "test algorithm"\n${extra}\n`;
}

export const RUNNER_TS = `import { Image2ImageRunner } from "compox";
import { scale } from "./helpers/scale.js";
export class Runner extends Image2ImageRunner {
  inference(images) { return scale(images); }
}
`;
export const HELPER_TS = "export function scale(x: unknown) { return x; }\n";

/** A minimal valid TS algorithm folder. */
export function tsAlgorithm(dir: string, name = "demo", version = "1.3.0", extra = ""): string {
  return writeFiles(dir, {
    "pyproject.toml": pyproject(name, version, extra),
    "Runner.ts": RUNNER_TS,
    "helpers/scale.ts": HELPER_TS,
    "files/weights.bin": Buffer.from([1, 2, 3, 4]),
  });
}
