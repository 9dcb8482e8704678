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

export interface TestRedis {
  url: string;
  /**
   * Kills the server (-9, as a crash) and starts it again on the same port and folder: with
   * `persist`, an append-only file fsynced at every write, so what a persistent server held
   * comes back; without, it comes back empty.
   */
  restart(opts: { persist: boolean }): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a redis-server of its own (without persistence unless `persist`); `url` is its address. */
export async function startRedis(opts: { persist?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  // Its own folder: a test that turns persistence on must not write into the repository.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compox-redis-"));
  const spawnServer = async (persist: boolean) => {
    const durability = persist ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    const server = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...durability, "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) resolve();
      });
      server.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
    return server;
  };
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    // SIGTERM waits on an AOF rewrite (and may never end while one runs); a crash is what is tested.
    child.kill("SIGKILL");
    await exited;
  };
  let child = await spawnServer(opts.persist ?? false);
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart({ persist }) {
      await kill();
      if (!persist) fs.rmSync(path.join(dir, "appendonlydir"), { recursive: true, force: true });
      child = await spawnServer(persist);
    },
    async [Symbol.asyncDispose]() {
      await kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
