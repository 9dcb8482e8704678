// The engine's public API: everything adapters (server, CLI, Electron) may import.
export { createEngine, type Engine, type EngineOptions, type Logger, type RemoveOptions } from "./engine.js";
export { resolveDataDir } from "./config/data-dir.js";
export { loadSettings, SETTINGS_FILE } from "./config/settings-loader.js";
export { saveSettingsPatch } from "./config/settings-toml.js";
export { validateFolder } from "./deploy/deployer.js";
export { readOwner, type OwnerInfo } from "./owner-lock.js";
export { diskFullError, isDiskFull } from "./disk-space.js";
export type { DatasetInfo } from "./datasets/dataset-store.js";
export { deployBundled } from "./bundled.js";
