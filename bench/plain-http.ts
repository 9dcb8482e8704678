// Plain node:http on both sides of the over-HTTP rows: downloads as a companion app's HTTP library
// makes them, and a bare file server as the upload baseline.
import { once } from "node:events";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";

const keepAlive = new http.Agent({ keepAlive: true });

/**
 * Downloads a file's bytes with node:http, as a companion app's HTTP library would; Node's
 * fetch spends 10–40 ms more on a 4 MB body here (curl takes ~5 ms), which is the client's cost,
 * not the server's.
 */
export function download(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    http
      .get(url, { agent: keepAlive }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
        res.on("error", reject);
      })
      .on("error", reject),
  );
}

/** The upload baseline: a bare node:http server that stores a POSTed body (fsynced) and serves it back. */
export async function bareFileServer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method === "POST") {
        const id = String(n++);
        const file = path.join(dir, id);
        await pipeline(req, fs.createWriteStream(file));
        const handle = await fs.promises.open(file, "r+");
        await handle.sync();
        await handle.close();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ file_id: id }));
      } else {
        const file = path.join(dir, (req.url ?? "/").slice(1));
        res.writeHead(200, { "content-length": String(fs.statSync(file).size) });
        await pipeline(fs.createReadStream(file), res);
        fs.rmSync(file);
      }
    })();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
