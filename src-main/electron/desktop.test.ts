// The desktop shell against a fake `electron` module: the tray menu, Add Algorithm → deploy →
// notification, the window on the engine's own server, the single-instance lock, and Quit →
// everything disposed (the engine closed, running work recorded as interrupted).
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { tempDir, tsAlgorithm } from "../engine/testing/temp-algorithm.js";
import { startDesktop, type ElectronModule } from "./desktop.js";

interface MenuItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  click?: (item: { checked: boolean }) => void;
}

function fakeElectron(opts: { lock?: boolean; pick?: string } = {}) {
  const events = new EventEmitter();
  const record = {
    menu: [] as MenuItem[],
    notifications: [] as { title: string; body: string }[],
    windows: [] as { options: Record<string, unknown>; url?: string; destroyed: boolean }[],
    trayDestroyed: false,
    quitCalled: false,
    clipboard: "",
    opened: [] as string[],
    loginItem: false,
  };
  const electron = {
    app: {
      requestSingleInstanceLock: () => opts.lock ?? true,
      whenReady: () => Promise.resolve(),
      quit: () => void (record.quitCalled = true),
      on: (event: string, fn: () => void) => events.on(event, fn),
      getLoginItemSettings: () => ({ openAtLogin: record.loginItem }),
      setLoginItemSettings: (s: { openAtLogin: boolean }) => void (record.loginItem = s.openAtLogin),
    },
    BrowserWindow: class {
      private readonly w: (typeof record.windows)[number];
      constructor(options: Record<string, unknown>) {
        this.w = { options, destroyed: false };
        record.windows.push(this.w);
      }
      loadURL(url: string) {
        this.w.url = url;
        return Promise.resolve();
      }
      isDestroyed() {
        return this.w.destroyed;
      }
      destroy() {
        this.w.destroyed = true;
      }
      show() {}
    },
    Tray: class {
      setToolTip() {}
      setContextMenu() {}
      on() {}
      destroy() {
        record.trayDestroyed = true;
      }
    },
    Menu: { buildFromTemplate: (items: MenuItem[]) => ((record.menu = items), {}) },
    dialog: { showOpenDialog: async () => ({ canceled: !opts.pick, filePaths: opts.pick ? [opts.pick] : [] }) },
    Notification: class {
      constructor(private readonly n: { title: string; body: string }) {}
      show() {
        record.notifications.push(this.n);
      }
    },
    shell: { openPath: async (p: string) => ((record.opened.push(p), "")) },
    clipboard: { writeText: (t: string) => void (record.clipboard = t) },
    nativeImage: { createFromPath: (p: string) => ({ path: p }) },
  };
  return { electron: electron as unknown as ElectronModule, record, events };
}

const silent = { info() {}, warn() {}, error() {} };
const click = (menu: MenuItem[], label: string) => {
  const item = menu.find((m) => m.label === label);
  assert.ok(item?.click, `menu item ${label}`);
  item.click({ checked: !item.checked });
};

test("tray menu, window on the engine's server, Add Algorithm → notification, Quit → disposed", async () => {
  using data = tempDir();
  using src = tempDir();
  const algorithm = tsAlgorithm(path.join(src.path, "demo"));
  const { electron, record } = fakeElectron({ pick: algorithm });
  process.env.COMPOX_PORT = "0";
  const desktop = await startDesktop(electron, { logger: silent, logFile: () => "/tmp/compox.log", argv: [`--data-dir=${data.path}`] });
  delete process.env.COMPOX_PORT;
  assert.ok(desktop);
  const labels = record.menu.map((m) => m.label ?? `(${m.type})`);
  assert.deepEqual(labels, ["Open Compox", "Add Algorithm…", "(separator)", `Server: ${desktop.server.url}`, "Copy server address", "(separator)", "Start at login", "Open data folder", "Open logs", "(separator)", "Quit"]);
  // The window is sandboxed and shows the UI from the engine's own server.
  assert.equal(record.windows[0]?.url, `${desktop.server.url}/ui/`);
  assert.deepEqual(record.windows[0]?.options.webPreferences, { contextIsolation: true, nodeIntegration: false, sandbox: true });
  assert.equal((await fetch(`${desktop.server.url}/`).then((r) => r.json()) as { name: string }).name, "Compox Desktop");

  click(record.menu, "Copy server address");
  assert.equal(record.clipboard, desktop.server.url);
  click(record.menu, "Start at login");
  assert.equal(record.loginItem, true);
  click(record.menu, "Open data folder");
  assert.deepEqual(record.opened, [data.path]);

  click(record.menu, "Add Algorithm…");
  for (let i = 0; i < 100 && record.notifications.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(record.notifications[0], { title: "demo", body: "deployed v1.3" });
  assert.equal((await desktop.addAlgorithm(algorithm)), "unchanged (v1.3)");
  fs.rmSync(path.join(algorithm, "pyproject.toml"));
  assert.match(await desktop.addAlgorithm(algorithm), /pyproject\.toml: missing/);
  assert.equal(record.notifications.at(-1)?.title, "Cannot add the algorithm");

  click(record.menu, "Quit");
  for (let i = 0; i < 200 && !record.quitCalled; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(record.quitCalled, true);
  assert.equal(record.trayDestroyed, true);
  assert.equal(record.windows[0]?.destroyed, true);
  await assert.rejects(desktop.engine.listAlgorithms(), /database connection is not open/);
  await assert.rejects(fetch(`${desktop.server.url}/`));
});

test("a second instance quits at once (single-instance lock)", async () => {
  const { electron, record } = fakeElectron({ lock: false });
  assert.equal(await startDesktop(electron, { logger: silent, logFile: () => "" }), undefined);
  assert.equal(record.quitCalled, true);
  assert.equal(record.windows.length, 0);
});
