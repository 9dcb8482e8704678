// Test support for cluster mode's queue: Debian's redis-server on a free loopback port, without
// persistence, stopped on dispose.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { needs } from "./system-needs.js";

const REDIS_SERVER = "redis-server";
export const needsRedis = needs("redis-server", spawnSync(REDIS_SERVER, ["--version"]).status === 0);

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts a redis-server of its own; `url` is its address. */
export async function startRedis(): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const port = await freePort();
  // Its own folder: a test that turns persistence on must not write into the repository.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-redis-"));
  const child = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        // SIGTERM waits on an AOF rewrite that CONFIG SET appendonly started (and may never end
        // while one runs); this server's data is thrown away anyway.
        child.kill("SIGKILL");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
