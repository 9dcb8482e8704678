// `npm run bench:data-path`: only the rows of `npm run bench` that cross the data path (the
// bundled algorithms over HTTP against scikit-image and against Compox's own data path, and the
// label loop), on a fresh `compox serve` from dist/; writes bench/results/data-path.md. For
// working on the data path without the full 8-minute run.
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CompoxClient } from "../src-main/contract/client.js";
import { serveProcess } from "../src-main/server/testing/serve-process.js";
import { hasSkimage } from "../algorithms/tests/reference.js";
import { REPEATS } from "./compare.js";
import { watchExecutions } from "./execution-watch.js";
import { labelLoopBench, overHttpBenches } from "./over-http.js";
import { markdown } from "./report.js";
import { SkimageBaseline } from "./skimage-baseline.js";

if (!hasSkimage) throw new Error("bench:data-path compares with scikit-image: install it (npm run setup:system)");
const root = fileURLToPath(new URL("..", import.meta.url));
const data = fs.mkdtempSync(path.join(os.tmpdir(), "compox-bench-dp-"));
const sk = new SkimageBaseline(data);
const { url, child } = await serveProcess(data);
try {
  const client = new CompoxClient(url);
  const watch = watchExecutions(client, 120_000);
  const rows = [...(await overHttpBenches(client, data, watch.ended, sk)), await labelLoopBench(client, data, watch.ended)];
  watch.close();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.version}`;
  fs.writeFileSync(path.join(root, "bench", "results", "data-path.md"), markdown(rows, machine, REPEATS));
  console.log(`\n${markdown(rows, machine, REPEATS)}`);
} finally {
  sk.close();
  child.kill("SIGTERM");
  await once(child, "exit");
  fs.rmSync(data, { recursive: true, force: true });
}
