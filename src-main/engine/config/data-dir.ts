// The one function that decides where Compox Desktop keeps its data (SPEC section 7);
// the CLI and the Electron shell both call it so they see the same algorithms.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SETTINGS_FILE } from "./settings-loader.js";

export interface DataDirSources {
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** `--data-dir`, else `COMPOX_DATA_DIR`, else the per-OS default. */
export function resolveDataDir(sources: DataDirSources = {}): string {
  const env = sources.env ?? process.env;
  if (sources.flag) return path.resolve(sources.flag);
  if (env.COMPOX_DATA_DIR) return path.resolve(env.COMPOX_DATA_DIR);
  const platform = sources.platform ?? process.platform;
  const home = sources.home ?? os.homedir();
  switch (platform) {
    case "darwin":
      return path.join(home, "Library", "Application Support", "Compox Desktop");
    case "win32":
      return path.win32.join(env.APPDATA ?? path.win32.join(home, "AppData", "Roaming"), "Compox Desktop");
    default:
      return path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "compox-desktop");
  }
}

/** Makes the data directory its owner's alone (0700) and settings.toml, which may hold the API
 * token, owner-readable only (0600); POSIX only (Windows keeps its ACLs). */
export function secureDataDir(dataDir: string): void {
  if (process.platform === "win32") return;
  fs.chmodSync(dataDir, 0o700);
  const settings = path.join(dataDir, SETTINGS_FILE);
  if (fs.existsSync(settings)) fs.chmodSync(settings, 0o600);
}
