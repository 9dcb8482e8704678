// Test and benchmark support: `compox serve` from dist/ as a real process on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Starts `compox serve --json` on `dataDir`; resolves with its URL once it listens. */
export async function serveProcess(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  if (!fs.existsSync(path.join(root, "dist", "cli.mjs"))) throw new Error("dist/ is missing: run `npm run build`");
  const child = spawn(process.execPath, [path.join(root, "bin", "compox.mjs"), "--json", "serve", "--port", "0", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, COMPOX_DATA_DIR: "" } });
  let out = "";
  // Resolved as the line arrives (the cold-start bench times this), or after 30 s.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 30000);
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("}")) return;
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (!out.includes("}")) {
    child.kill("SIGKILL");
    throw new Error("compox serve did not start within 30 s");
  }
  return { url: (JSON.parse(out) as { url: string }).url, child };
}
