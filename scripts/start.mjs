// `npm start`: the desktop app (tray + window) when Electron can run here; otherwise the same
// engine, API and UI headless (`compox serve`), used from a browser at the printed address.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
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
  const r = spawnSync(process.execPath, [pkg.replace(/package\.json$/, "install.js")], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) process.stderr.write(`Could not fetch it (${(r.stderr || "").split("\n").find((l) => l.trim()) ?? "no network?"}).\n`);
  return find();
}

/**
 * Electron needs better-sqlite3 built for its own ABI; system Node keeps the one in node_modules.
 * Builds a copy once into build-electron/ (needs internet for Electron's headers).
 */
function prepareElectronSqlite(electron) {
  const target = `${root}build-electron/better_sqlite3.node`;
  if (existsSync(target)) return true;
  const version = spawnSync(electron, ["--version"], { encoding: "utf8", env: { ...process.env, ELECTRON_RUN_AS_NODE: "1" } }).stdout?.trim().replace(/^v/, "");
  if (!version) return false;
  process.stderr.write(`Building better-sqlite3 for Electron ${version} (once)…\n`);
  const work = mkdtempSync(`${tmpdir()}/compox-sqlite-`);
  cpSync(`${root}node_modules/better-sqlite3`, `${work}/better-sqlite3`, { recursive: true });
  const r = spawnSync("npx", ["--yes", "@electron/rebuild", "--version", version, "--module-dir", `${work}/better-sqlite3`, "--force"], { stdio: "inherit", timeout: 600_000 });
  if (r.status !== 0) return false;
  mkdirSync(`${root}build-electron`, { recursive: true });
  copyFileSync(`${work}/better-sqlite3/build/Release/better_sqlite3.node`, target);
  return true;
}

const args = process.argv.slice(2);
let electron = process.env.COMPOX_HEADLESS ? undefined : electronBinary();
if (electron && !prepareElectronSqlite(electron)) {
  process.stderr.write("Could not build better-sqlite3 for Electron here.\n");
  electron = undefined;
}
const child = electron
  ? spawn(electron, [root, ...args], { stdio: "inherit" })
  : (process.stderr.write("Electron is not available here: starting headless. Open the printed UI address in a browser.\n"),
    spawn(process.execPath, [fileURLToPath(new URL("../bin/compox.mjs", import.meta.url)), "serve", ...args], { stdio: "inherit" }));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
