// What tests need from the system (Debian packages) and the one line they skip with when it is
// missing. scripts/run-tests.mjs collects these skips into a closing summary, and under CI=true
// turns them into a failure, so CI can never pass by skipping.
import fs from "node:fs";
import { findPython } from "../runtime/python.js";

/** The command that installs every system package the tests use (what CI installs). */
export const SETUP_COMMAND = "npm run setup:system";

/** Skip reason for a test whose system package is missing, or false when it is there. */
export function needs(packages: string, available: boolean): string | false {
  return available ? false : `needs system package ${packages} (install: ${SETUP_COMMAND})`;
}

const python = findPython().chosen;

/** A Python 3 with numpy and h5py (Debian: python3-numpy python3-h5py). */
export const PYTHON = python?.command;
export const needsPython = needs("python3-numpy python3-h5py", python !== undefined);

const SKIMAGE = "/usr/lib/python3/dist-packages/skimage";
/** scikit-image for the Python interpreter, and its sample images. */
export const SKIMAGE_DATA = `${SKIMAGE}/data`;
export const needsSkimage = needs("python3-skimage", python !== undefined && fs.existsSync(SKIMAGE));

/** tifffile and Pillow for the Python interpreter (image import round trips). */
export const needsTifffile = needs("python3-tifffile python3-pil", python !== undefined && fs.existsSync("/usr/lib/python3/dist-packages/tifffile") && fs.existsSync("/usr/lib/python3/dist-packages/PIL"));

export const CHROMIUM = "/usr/bin/chromium";
export const needsChromium = needs("chromium", fs.existsSync(CHROMIUM));
