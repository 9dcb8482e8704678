// `npm start`: the desktop app (tray + window) when Electron can run here; otherwise the same
// engine, API and UI headless (`compox serve`), used from a browser at the printed address.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));

/** The Electron binary, fetching it on demand (its install script is denied at npm install). */
function electronBinary() {
  let pkg;
  try {
    pkg = require.resolve("electron/package.json");
  } catch {
    return undefined;
  }
  const find = () => {
    try {
      const bin = require("electron");
      return typeof bin === "string" && existsSync(bin) ? bin : undefined;
    } catch {
      return undefined;
    }
  };
  if (find()) return find();
  process.stderr.write("Fetching Electron's binary (once)…\n");
  spawnSync(process.execPath, [pkg.replace(/package\.json$/, "install.js")], { stdio: "inherit", timeout: 120_000 });
  return find();
}

const args = process.argv.slice(2);
const electron = process.env.COMPOX_HEADLESS ? undefined : electronBinary();
const child = electron
  ? spawn(electron, [root, ...args], { stdio: "inherit" })
  : (process.stderr.write("Electron is not available here: starting headless. Open the printed UI address in a browser.\n"),
    spawn(process.execPath, [fileURLToPath(new URL("../bin/compox.mjs", import.meta.url)), "serve", ...args], { stdio: "inherit" }));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
