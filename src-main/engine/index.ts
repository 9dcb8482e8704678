// The engine's public API: everything adapters (server, CLI, Electron) may import. ESLint refuses
// any other path into the engine from them (eslint.config.js).
export { createEngine, type EngineOptions } from "./engine.js";
export type { Engine, ExportedZip, Logger, RemoveOptions, TagFilter } from "./engine-api.js";
export { resolveDataDir } from "./config/data-dir.js";
export { loadSettings, SETTINGS_FILE } from "./config/settings-loader.js";
export { saveSettingsPatch } from "./config/settings-toml.js";
export { clusterConfigOf } from "./config/cluster-config.js";
export { checkClusterServices } from "./cluster/cluster-check.js";
export { validateFolder } from "./deploy/deployer.js";
export { readOwner, type OwnerInfo } from "./owner-lock.js";
export { diskFullError, isDiskFull } from "./disk-space.js";
export { isDatasetId, type DatasetInfo } from "./datasets/dataset-store.js";
export type { KeyInfo } from "./datasets/hdf5.js";
export { checkPictureShape, exportPng, pickKey, previewPng, tiffPage, tiffPagesOf } from "./datasets/image-export.js";
export { encodeTiff, type TiffPage } from "./datasets/tiff-writer.js";
export { measureObjects, measurementsCsv } from "./datasets/measure.js";
export { deployBundled } from "./bundled.js";
export { algorithmFoldersIn, appRoot, bundledAlgorithmsDir } from "./app-paths.js";
export { detectGpus } from "./runtime/devices.js";
export { eventTime } from "./runtime/event-bus.js";
export { findPython } from "./runtime/python.js";
export { pythonRunnerDir } from "./runtime/runner-host.js";
