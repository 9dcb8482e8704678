// `npm start`: the desktop app when Electron is available; otherwise the same engine, API and UI
// headless (`compox serve`), to be used from a browser at the printed address.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/compox.mjs", import.meta.url));
process.stderr.write("Electron is not set up in this version: starting headless. Open the printed UI address in a browser.\n");
const child = spawn(process.execPath, [bin, "serve", ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
