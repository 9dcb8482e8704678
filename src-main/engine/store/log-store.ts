// The logs of executions and trainings, a row per line. Each append is one INSERT (plus one
// DELETE once the tail is full), never a rewrite. A log keeps its first and its last
// `maxBytes / 2` bytes; the lines between are dropped and counted, and reading the log says so
// where they were. A job's appends are applied in order, one after another (on PostgreSQL two
// could otherwise commit out of order), and reading a log waits for the appends before it.
import type { Db } from "./db.js";
import { SerialByKey } from "./serial-by-key.js";

interface LogState {
  nextSeq: number;
  headBytes: number;
  /** Seq and size of each tail line, oldest first, from `start`. */
  tail: { seq: number; bytes: number }[];
  start: number;
  tailBytes: number;
  cutLines: number;
  cutBytes: number;
}

const INSERT = "INSERT INTO job_logs (job_id, seq, part, line) VALUES (?, ?, ?, ?)";

/** A line whose (job, seq) is taken: SQLite's and PostgreSQL's unique-key refusals. */
const isDuplicateLine = (err: unknown) => (err as { code?: string }).code === "23505" || /UNIQUE constraint failed: job_logs/.test((err as Error).message ?? "");

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

export class LogStore {
  private readonly states = new Map<string, LogState>();
  /** A job's appends, one after another; reads wait for them. */
  private readonly serial = new SerialByKey();

  /** `maxBytes`: the setting max_log_kb, in bytes, read at each append. */
  constructor(
    private readonly db: Db,
    private readonly maxBytes: () => number,
  ) {}

  /** Appends one line (without its newline); resolves once it is stored. */
  append(jobId: string, text: string): Promise<void> {
    return this.serial.run(jobId, async () => {
      try {
        await this.write(jobId, text);
      } catch (err) {
        if (!isDuplicateLine(err)) throw err;
        // Another process appended to this log since this one read it (cluster mode: the API
        // node that settles a lost worker's job, a worker resuming): read it again and append after.
        this.states.delete(jobId);
        await this.write(jobId, text);
      }
    });
  }

  /** The whole log as one string, with a line saying what was cut and where. */
  async read(jobId: string): Promise<string> {
    await this.serial.settled(jobId);
    const rows = await this.db.all<{ part: string; line: string }>("SELECT part, line FROM job_logs WHERE job_id = ? ORDER BY seq", jobId);
    const cut = await this.db.get<{ lines: number; bytes: number }>("SELECT lines, bytes FROM job_log_cuts WHERE job_id = ?", jobId);
    if (!cut) return rows.map((r) => r.line).join("");
    const out: string[] = [];
    let marked = false;
    for (const r of rows) {
      if (!marked && r.part === "tail") {
        out.push(`[… ${cut.lines} log lines (${kb(cut.bytes)}) cut here: a log keeps its first and last ${kb(this.maxBytes() / 2)} (setting max_log_kb) …]\n`);
        marked = true;
      }
      out.push(r.line);
    }
    return out.join("");
  }

  /** Drops what is held in memory for a job that ended (its lines stay stored). */
  forget(jobId: string): void {
    this.states.delete(jobId);
  }

  /** Deletes the logs of records that no longer exist. */
  async pruneOrphans(): Promise<void> {
    const orphan =
      "job_id NOT IN (SELECT execution_id FROM executions) AND job_id NOT IN (SELECT training_id FROM trainings) AND job_id NOT IN (SELECT benchmark_id FROM benchmarks)";
    await this.db.run(`DELETE FROM job_logs WHERE ${orphan}`);
    await this.db.run(`DELETE FROM job_log_cuts WHERE ${orphan}`);
  }

  private async write(jobId: string, text: string): Promise<void> {
    const half = Math.max(1024, Math.floor(this.maxBytes() / 2));
    const s = await this.state(jobId);
    let line = `${text}\n`;
    let bytes = Buffer.byteLength(line);
    if (bytes > half) {
      // One line longer than half the budget: keep its start.
      const keep = Buffer.from(line).subarray(0, half - 200).toString("utf8").replace(/\uFFFD$/, "");
      line = `${keep}… (this line was ${kb(bytes)}; cut to the first ${kb(half - 200)}: setting max_log_kb)\n`;
      bytes = Buffer.byteLength(line);
    }
    const seq = s.nextSeq++;
    if (s.cutLines === 0 && s.tail.length === s.start && s.headBytes + bytes <= half) {
      await this.db.run(INSERT, jobId, seq, "head", line);
      s.headBytes += bytes;
      return;
    }
    s.tail.push({ seq, bytes });
    s.tailBytes += bytes;
    const cut: number[] = [];
    while (s.tailBytes > half && s.tail.length - s.start > 1) {
      const oldest = s.tail[s.start++] as { seq: number; bytes: number };
      cut.push(oldest.seq);
      s.tailBytes -= oldest.bytes;
      s.cutLines++;
      s.cutBytes += oldest.bytes;
    }
    if (s.start > 1024 && s.start > s.tail.length / 2) {
      s.tail = s.tail.slice(s.start);
      s.start = 0;
    }
    const { cutLines, cutBytes } = s;
    await this.db.transaction(async (tx) => {
      await tx.run(INSERT, jobId, seq, "tail", line);
      for (const old of cut) await tx.run("DELETE FROM job_logs WHERE job_id = ? AND seq = ?", jobId, old);
      if (cut.length > 0)
        await tx.run("INSERT INTO job_log_cuts (job_id, lines, bytes) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET lines = excluded.lines, bytes = excluded.bytes", jobId, cutLines, cutBytes);
    });
  }

  /** The append state of a job: held in memory while it runs, rebuilt from the table otherwise. */
  private async state(jobId: string): Promise<LogState> {
    let s = this.states.get(jobId);
    if (s) return s;
    s = { nextSeq: 0, headBytes: 0, tail: [], start: 0, tailBytes: 0, cutLines: 0, cutBytes: 0 };
    const rows = await this.db.all<{ seq: number; part: string; bytes: number }>("SELECT seq, part, octet_length(line) AS bytes FROM job_logs WHERE job_id = ? ORDER BY seq", jobId);
    for (const r of rows) {
      if (r.part === "head") s.headBytes += r.bytes;
      else {
        s.tail.push({ seq: r.seq, bytes: r.bytes });
        s.tailBytes += r.bytes;
      }
      s.nextSeq = r.seq + 1;
    }
    const cut = await this.db.get<{ lines: number; bytes: number }>("SELECT lines, bytes FROM job_log_cuts WHERE job_id = ?", jobId);
    if (cut) {
      s.cutLines = cut.lines;
      s.cutBytes = cut.bytes;
    }
    this.states.set(jobId, s);
    return s;
  }
}
