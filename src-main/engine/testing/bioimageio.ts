// Test support: the real bioimage.io model package beside the repository (../shared/fixtures), or
// a skip naming it where this checkout has none.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { needs, PYTHON } from "./system-needs.js";

const dir = path.resolve(fileURLToPath(new URL("../../../..", import.meta.url)), "shared", "fixtures", "bioimageio", "unet2d_nuclei_broad");

/** Where the unet2d_nuclei_broad package is, and why its tests are skipped when it is not there. */
export const BIOIMAGEIO_FIXTURE = { dir, skip: fs.existsSync(path.join(dir, "bioimageio.yaml")) ? (false as const) : `the bioimage.io fixture is not at ${dir}` };

/** PyTorch for the Python interpreter (a package's TorchScript weights run with it); asked here
 * only, as importing torch takes a second. */
export const needsTorch = needs("python3-torch", PYTHON !== undefined && spawnSync(PYTHON, ["-c", "import torch"]).status === 0);
