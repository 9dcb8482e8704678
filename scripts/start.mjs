// `npm start`: the desktop app when Electron is available, else the headless engine.
// The HTTP server and the window arrive with their issues; until then this deploys the bundled
// algorithms and lists what is deployed, through the CLI.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../bin/compox.mjs", import.meta.url));
const args = process.argv.slice(2);
for (const command of [["deploy-algorithms"], ["list"]]) {
  const r = spawnSync(process.execPath, [bin, ...args, ...command], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
