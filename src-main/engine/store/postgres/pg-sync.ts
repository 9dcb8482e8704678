// A synchronous PostgreSQL connection: one `pg` client in a worker thread, and the calling thread
// blocked on a shared flag until its answer is back. The record store port is synchronous (as
// better-sqlite3 is, and as every repository is written); a query on a LAN costs about as much as
// a SQLite write with fsync, so blocking is the honest price of one code path for both stores.
import { createRequire } from "node:module";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { CompoxError } from "../../../contract/errors.js";
import { redactUrl } from "../../../contract/redact.js";

export interface PgResult {
  rows: Record<string, unknown>[];
  changes: number;
}

// CommonJS run by the worker (eval), so it needs no file of its own in the bundle.
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const pg = require(workerData.pgPath);
pg.types.setTypeParser(20, (v) => Number(v)); // BIGINT (ms times, counts) as numbers
const flag = new Int32Array(workerData.flag);
const port = workerData.port;
const client = new pg.Client({ connectionString: workerData.url, connectionTimeoutMillis: workerData.timeoutMs });
let broken;
client.on("error", (e) => { broken = e; });
// As the desktop's SQLite (WAL, synchronous = NORMAL): a crash of the server may lose the last
// moments of commits, never consistency; each write then costs a round trip, not an fsync.
const ready = client.connect().then(() => client.query("SET synchronous_commit = off"));
port.on("message", async (m) => {
  let reply;
  try {
    if (m.close) { await client.end().catch(() => {}); reply = { rows: [], changes: 0 }; }
    else {
      await ready;
      if (broken) throw broken;
      const r = await client.query({ text: m.text, values: m.values });
      reply = { rows: r.rows, changes: r.rowCount || 0 };
    }
  } catch (e) {
    reply = { error: { message: String(e && e.message || e), code: e && e.code } };
  }
  port.postMessage({ ...reply, seq: m.seq });
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
  if (m.close) port.close();
});
`;

type Reply = (PgResult & { error?: undefined }) | { error: { message: string; code?: string } };

/** PostgreSQL's error, with its SQLSTATE code. */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A blocking connection to `url`; `query` waits at most `timeoutMs` for each answer. */
export class PgSyncConnection {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private closed = false;
  /** Numbers each call, so a reply is matched to its call. */
  private seq = 0;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 30_000,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const pgPath = createRequire(import.meta.url).resolve("pg");
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { pgPath, url, flag: this.flag.buffer, port: port2, timeoutMs }, transferList: [port2] });
    this.worker.unref();
  }

  /** Runs one statement; throws PgError for what PostgreSQL refused, CompoxError when it cannot be reached. */
  query(text: string, values: readonly unknown[] = []): PgResult {
    if (this.closed) throw new CompoxError("internal_error", "the PostgreSQL connection is closed");
    return this.call({ text, values: [...values] });
  }

  private call(message: object): PgResult {
    const seq = ++this.seq;
    const deadline = Date.now() + this.timeoutMs;
    Atomics.store(this.flag, 0, 0);
    this.port.postMessage({ ...message, seq });
    let reply: Reply | undefined;
    while (!reply) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.flag, 0, 0, left) === "timed-out")
        throw new CompoxError("internal_error", `PostgreSQL at ${redactUrl(this.url)} did not answer within ${this.timeoutMs / 1000} s`);
      // The flag can be seen before the message it follows: poll for it a little (1 ms at a time).
      const got = receiveMessageOnPort(this.port)?.message as (Reply & { seq: number }) | undefined;
      if (got?.seq === seq) reply = got;
      else if (!got) Atomics.wait(this.flag, 0, 1, 1);
    }
    if (reply.error) {
      // A SQLSTATE is PostgreSQL's own refusal; anything else (ECONNREFUSED, auth, DNS) is reaching it.
      if (reply.error.code && /^[0-9A-Z]{5}$/.test(reply.error.code) && !reply.error.code.startsWith("08") && reply.error.code !== "28P01" && reply.error.code !== "3D000") throw new PgError(reply.error.message, reply.error.code);
      throw new CompoxError("internal_error", `cannot use PostgreSQL at ${redactUrl(this.url)}: ${reply.error.message}; check database_url (COMPOX_DATABASE_URL) and that the server is running (\`compox doctor\` checks)`);
    }
    return reply;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.call({ close: true });
    } finally {
      void this.worker.terminate();
    }
  }
}

/** What keeps `url` from answering `SELECT 1` within `timeoutMs`, or undefined when it answers. */
export function postgresProblem(url: string, timeoutMs: number): string | undefined {
  let conn: PgSyncConnection | undefined;
  try {
    conn = new PgSyncConnection(url, timeoutMs);
    conn.query("SELECT 1");
    return undefined;
  } catch (err) {
    return (err as Error).message;
  } finally {
    conn?.close();
  }
}

