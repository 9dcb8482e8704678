// The window's UI: Algorithms (list + run view), History and Settings, over the HTTP API only.
import type { Algorithm } from "../src-main/contract/algorithm.js";
import { api } from "./api.js";
import { h, mount } from "./elements.js";
import { readStored, writeStored } from "./local-store.js";
import { algorithmsView } from "./views/algorithms.js";
import { historyView } from "./views/history.js";
import { runView, type RunRequest } from "./views/run-view.js";
import { settingsView } from "./views/settings.js";
import { trainView } from "./views/train-view.js";

type Tab = "algorithms" | "history" | "settings";

const app = document.getElementById("app") as HTMLElement;
const main = h("main.content");
const nav = h("nav.tabs");
const serverState = h("span.server-state");
// The connection to the server, watched all the time: a lost one is said at once (the banner and
// the header's dot), and the window comes back by itself when the server does.
const banner = h("div.connection-banner", { role: "alert" });
banner.hidden = true;
let connected = true;
api.events(() => undefined, {
  onOpen: () => {
    if (connected) return;
    connected = true;
    banner.hidden = true;
    serverState.className = "server-state ok";
    serverState.textContent = `connected · ${location.host}`;
  },
  onError: () => {
    connected = false;
    banner.textContent = "The connection to Compox Desktop was lost. Reconnecting… (runs shown here are checked against their records when it is back)";
    banner.hidden = false;
    serverState.className = "server-state bad";
    serverState.textContent = "disconnected — reconnecting…";
  },
});
let tab: Tab = "algorithms";
let algorithms: Algorithm[] = [];
let selected: { alg: Algorithm; request: RunRequest; mode?: "run" | "train" } | undefined;
/** Each algorithm's inputs, parameters and run as last left (going back to one resumes it). */
const requests = new Map<string, RunRequest>();

// What the user was doing — the tab, the algorithm, its inputs, parameters and run — kept in this
// browser's storage, so navigation and a reload (or a restart of the window) bring it back.
const SAVED = "compox-window";
interface Saved {
  tab: Tab;
  algorithm_id?: string;
  mode?: "run" | "train";
  request?: RunRequest;
}
const save = () => writeStored(SAVED, { tab, algorithm_id: selected?.alg.algorithm_id, mode: selected?.mode, request: selected?.request } satisfies Saved);

function tabButton(id: Tab, label: string): HTMLElement {
  return h(`button.tab${tab === id ? ".active" : ""}`, { type: "button", "data-tab": id, onclick: () => void show(id) }, label);
}

function unreachable(err: unknown): HTMLElement {
  return h("div.empty-state.error", {}, h("h2", {}, "Cannot reach Compox Desktop"), h("p", {}, String((err as Error).message ?? err)), h("p", {}, "Start it with `npm start` or `npx compox serve`, then "), h("button.primary", { type: "button", onclick: () => void show(tab) }, "Try again"));
}

async function show(next: Tab): Promise<void> {
  tab = next;
  save();
  mount(nav, tabButton("algorithms", "Algorithms"), tabButton("history", "History"), tabButton("settings", "Settings"));
  try {
    const info = await api.info();
    serverState.textContent = `${info.name} ${info.version} · ${location.host}`;
    serverState.className = "server-state ok";
    if (tab === "algorithms") {
      algorithms = await api.listAlgorithms();
      const sel = selected;
      const modes = sel?.alg.trainable
        ? h("div.mode-tabs", {}, ...(["run", "train"] as const).map((m) => h(`button.tab-small${(sel.mode ?? "run") === m ? ".active" : ""}`, { type: "button", "data-mode": m, onclick: () => ((sel.mode = m), void show("algorithms")) }, m === "run" ? "Run" : "Train")))
        : null;
      const body = sel && (sel.mode === "train" ? trainView(sel.alg, (checkpointId) => ((selected = { alg: sel.alg, request: { checkpointId }, mode: "run" }), void show("algorithms"))) : runView(sel.alg, sel.request, () => undefined, (request) => (requests.set(sel.alg.algorithm_id, (sel.request = request)), save())));
      const pane = sel ? h("div.pane", {}, modes, body) : h("div.empty-state", {}, h("h2", {}, algorithms.length ? "Choose an algorithm" : "No algorithms yet"), h("p", {}, algorithms.length ? "Pick one on the left to run it." : "Add Algorithm… on the left deploys a folder or a .zip."));
      mount(main, h("div.split", {}, algorithmsView(algorithms, { selectedId: selected?.alg.algorithm_id, onSelect: (alg) => ((selected = { alg, request: requests.get(alg.algorithm_id) ?? {} }), void show("algorithms")) }, () => void show("algorithms")), pane));
    } else if (tab === "history") {
      algorithms = await api.listAlgorithms();
      mount(main, await historyView(algorithms, (alg, request) => ((selected = { alg, request }), void show("algorithms"))));
    } else mount(main, await settingsView());
  } catch (err) {
    serverState.textContent = "disconnected";
    serverState.className = "server-state bad";
    mount(main, unreachable(err));
  }
}

mount(app, h("header.topbar", {}, h("h1", {}, "Compox Desktop"), nav, serverState), banner, main);
void (async () => {
  const last = readStored<Saved>(SAVED);
  if (last?.algorithm_id) {
    // The algorithm may be gone (removed meanwhile): then the window starts afresh.
    const alg = await api.listAlgorithms().then((all) => all.find((a) => a.algorithm_id === last.algorithm_id), () => undefined);
    if (alg) selected = { alg, request: last.request ?? {}, mode: last.mode };
  }
  await show(last?.tab ?? "algorithms");
})();
