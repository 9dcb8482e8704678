// `check_importable = true`: load a TS/JS module once, in a runner process of its own, at deploy
// time, so an algorithm that cannot even construct fails its deploy instead of its first run.
import type { Problem } from "../../contract/errors.js";
import { ensureBundle } from "../deploy/bundle-cache.js";
import type { SourceFile } from "../deploy/folder-scan.js";
import path from "node:path";
import { extractModule } from "./module-dir.js";
import { RunnerHost, runnerImports } from "./runner-host.js";

export interface ImportCheck {
  bundleDir: string;
  /** The interpreter, for a Python module. */
  python?: string;
  moduleId: string;
  sources: SourceFile[];
  entryPoint: string;
  /** Asset path → file on disk (the folder's own files). */
  assets: Record<string, string>;
}

/** Loads the module and runs loadAssets (load_assets); returns the problem when that fails. */
export async function checkImportable(c: ImportCheck): Promise<Problem | undefined> {
  const spec = c.python
    ? { bundlePath: "", moduleRoot: extractModule(path.join(c.bundleDir, "..", "py"), c.moduleId, () => c.sources) }
    : { bundlePath: await ensureBundle(c.bundleDir, c.moduleId, () => c.sources, c.entryPoint, false, runnerImports()) };
  const host = new RunnerHost({
    python: c.python,
    onEvent: () => {},
    engine: {
      datasetPath: () => Promise.reject(new Error("no datasets while checking importability")),
      commitDataset: () => Promise.reject(new Error("no datasets while checking importability")),
      sessionSave: async () => {},
      sessionLoad: async () => undefined,
      sessionRemove: async () => {},
      trainingDataset: () => Promise.reject(new Error("no training while checking importability")),
      setState: async () => {},
      saveCheckpoint: () => Promise.reject(new Error("no training while checking importability")),
      pythonCommand: async () => null,
    },
  });
  try {
    await host.load({ ...spec, device: "cpu", assets: c.assets });
    return undefined;
  } catch (err) {
    return { file: c.entryPoint, path: "", message: `check_importable: loading the module failed: ${(err as Error).message}` };
  } finally {
    await host.close();
  }
}
