// The desktop app as a list of setupX() steps, each returning what disposes it. The `electron`
// module is passed in (main.ts passes the real one, tests a fake), so this file only ever uses its
// types. The engine, its HTTP server and the UI are the same as `compox serve`; the window loads the
// UI from that server, so there is no IPC at all.
import path from "node:path";
import type * as Electron from "electron";
import { CompoxError } from "../contract/errors.js";
import { createEngine, deployBundled, loadSettings, resolveDataDir, type Engine, type Logger, appRoot } from "../engine/index.js";
import { startServer, type RunningServer } from "../server/serve.js";

export type ElectronModule = Pick<typeof Electron, "app" | "BrowserWindow" | "Tray" | "Menu" | "dialog" | "Notification" | "shell" | "clipboard" | "nativeImage">;

type Dispose = () => void | Promise<void>;

export interface Desktop {
  engine: Engine;
  server: RunningServer;
  /** Deploys a folder or zip and tells the user how it went (the tray's Add Algorithm…). */
  addAlgorithm(source: string): Promise<string>;
  /** Disposes everything in reverse order of setup. */
  quit(): Promise<void>;
}

async function setupEngine(logger: Logger, argv: readonly string[]): Promise<{ engine: Engine; dispose: Dispose }> {
  const flag = argv.find((a) => a.startsWith("--data-dir="))?.slice("--data-dir=".length);
  const dataDir = resolveDataDir({ flag });
  const engine = await createEngine({ dataDir, settings: loadSettings({ dataDir }), logger });
  return { engine, dispose: () => engine.close() };
}

async function setupServer(engine: Engine): Promise<{ server: RunningServer; dispose: Dispose }> {
  const server = await startServer(engine, { host: engine.settings.host, port: engine.settings.port });
  engine.announceUrl(server.url);
  return { server, dispose: () => server.close() };
}

function setupWindow(electron: ElectronModule, server: RunningServer): { open: () => void; dispose: Dispose } {
  let win: Electron.BrowserWindow | undefined;
  const open = () => {
    if (win && !win.isDestroyed()) return void win.show();
    win = new electron.BrowserWindow({
      width: 1280,
      height: 860,
      title: "Compox Desktop",
      icon: path.join(appRoot(), "assets", "icon.png"),
      webPreferences: { contextIsolation: true, nodeIntegration: false, sandbox: true },
    });
    void win.loadURL(`${server.url}/ui/`);
  };
  return { open, dispose: () => void (win && !win.isDestroyed() && win.destroy()) };
}

function setupTray(electron: ElectronModule, d: { server: RunningServer; engine: Engine; openWindow: () => void; addAlgorithm: () => Promise<void>; quit: () => void; logFile: () => string }): Dispose {
  const tray = new electron.Tray(electron.nativeImage.createFromPath(path.join(appRoot(), "assets", "tray.png")));
  tray.setToolTip(`Compox Desktop — ${d.server.url}`);
  const { app, Menu, shell, clipboard } = electron;
  const menu = Menu.buildFromTemplate([
    { label: "Open Compox", click: d.openWindow },
    { label: "Add Algorithm…", click: () => void d.addAlgorithm() },
    { type: "separator" },
    { label: `Server: ${d.server.url}`, enabled: false },
    { label: "Copy server address", click: () => clipboard.writeText(d.server.url) },
    { type: "separator" },
    { label: "Start at login", type: "checkbox", checked: app.getLoginItemSettings().openAtLogin, click: (item) => app.setLoginItemSettings({ openAtLogin: item.checked }) },
    { label: "Open data folder", click: () => void shell.openPath(d.engine.dataDir) },
    { label: "Open logs", click: () => void shell.openPath(d.logFile()) },
    { type: "separator" },
    { label: "Quit", click: d.quit },
  ]);
  tray.setContextMenu(menu);
  tray.on("click", d.openWindow);
  return () => tray.destroy();
}

/** Starts the desktop app; resolves once the tray and server are up. */
export async function startDesktop(electron: ElectronModule, opts: { logger: Logger; logFile: () => string; argv?: readonly string[] }): Promise<Desktop | undefined> {
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }
  await app.whenReady();
  const disposers: Dispose[] = [];
  const { engine, dispose: closeEngine } = await setupEngine(opts.logger, opts.argv ?? process.argv);
  disposers.push(closeEngine);
  await deployBundled(engine, (r) => ("error" in r ? opts.logger.error(`${r.folder}: ${r.error}`) : undefined));
  const { server, dispose: closeServer } = await setupServer(engine);
  disposers.push(closeServer);
  const window = setupWindow(electron, server);
  disposers.push(window.dispose);

  const notify = (title: string, body: string) => new electron.Notification({ title, body }).show();
  const addAlgorithm = async (source: string): Promise<string> => {
    try {
      const r = await engine.deploy(source);
      const body = r.changed ? `deployed v${r.algorithm_major_version}.${r.algorithm_minor_version}` : `unchanged (v${r.algorithm_major_version}.${r.algorithm_minor_version})`;
      notify(r.algorithm_name, body);
      return body;
    } catch (err) {
      const body = err instanceof CompoxError ? err.message : String(err);
      notify("Cannot add the algorithm", body);
      return body;
    }
  };
  let quitting: Promise<void> | undefined;
  const quit = () =>
    (quitting ??= (async () => {
      for (const dispose of disposers.reverse()) await dispose();
      app.quit();
    })());
  disposers.push(
    setupTray(electron, {
      server,
      engine,
      openWindow: window.open,
      addAlgorithm: async () => {
        const picked = await electron.dialog.showOpenDialog({ title: "Add Algorithm", properties: ["openDirectory", "openFile"], filters: [{ name: "Algorithm folder or .zip", extensions: ["zip"] }] });
        if (!picked.canceled && picked.filePaths[0]) await addAlgorithm(picked.filePaths[0]);
      },
      quit: () => void quit(),
      logFile: opts.logFile,
    }),
  );
  // Closing the window keeps the app in the tray; a second launch opens the window.
  app.on("window-all-closed", () => {});
  app.on("second-instance", window.open);
  app.on("before-quit", () => void quit());
  window.open();
  return { engine, server, addAlgorithm, quit };
}
