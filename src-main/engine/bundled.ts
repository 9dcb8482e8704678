// The algorithms shipped in algorithms/ are deployed at every start: a no-op when unchanged, so an
// upgrade of the application reaches its users.
import { CompoxError } from "../contract/errors.js";
import type { DeployResult } from "../contract/algorithm.js";
import { algorithmFoldersIn, bundledAlgorithmsDir } from "./app-paths.js";
import type { Engine } from "./engine.js";

/** Deploys every bundled algorithm; a failure is reported through `log`, not thrown. */
export async function deployBundled(engine: Engine, log: (result: DeployResult | { folder: string; error: string }) => void): Promise<void> {
  for (const folder of algorithmFoldersIn(bundledAlgorithmsDir())) {
    try {
      log(await engine.deploy(folder));
    } catch (err) {
      if (!(err instanceof CompoxError)) throw err;
      log({ folder, error: err.message });
    }
  }
}
