// Electron's entry point: the only file that imports electron and electron-log at run time.
import * as electron from "electron";
import log from "electron-log/main";
import { startDesktop } from "./desktop.js";

log.initialize();
const logger = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m), error: (m: string) => log.error(m) };
startDesktop(electron, { logger, logFile: () => log.transports.file.getFile().path }).catch((err: unknown) => {
  log.error(err);
  electron.dialog.showErrorBox("Compox Desktop could not start", err instanceof Error ? err.message : String(err));
  electron.app.exit(1);
});
