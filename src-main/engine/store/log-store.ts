// The logs of executions and trainings, a row per line. Each append is one INSERT (plus one
// DELETE once the tail is full), never a rewrite. A log keeps its first and its last
// `maxBytes / 2` bytes; the lines between are dropped and counted, and reading the log says so
// where they were.
import type { SqlStatement as Statement } from "./sql.js";
import type { Db } from "./db.js";

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

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

export class LogStore {
  private readonly states = new Map<string, LogState>();
  private readonly insert: Statement;
  private readonly deleteLine: Statement;
  private readonly upsertCut: Statement;
  private readonly lines: Statement;
  private readonly cutOf: Statement;

  /** `maxBytes`: the setting max_log_kb, in bytes, read at each append. */
  constructor(
    private readonly db: Db,
    private readonly maxBytes: () => number,
  ) {
    this.insert = db.prepare("INSERT INTO job_logs (job_id, seq, part, line) VALUES (?, ?, ?, ?)");
    this.deleteLine = db.prepare("DELETE FROM job_logs WHERE job_id = ? AND seq = ?");
    this.upsertCut = db.prepare("INSERT INTO job_log_cuts (job_id, lines, bytes) VALUES (?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET lines = excluded.lines, bytes = excluded.bytes");
    this.lines = db.prepare("SELECT part, line FROM job_logs WHERE job_id = ? ORDER BY seq");
    this.cutOf = db.prepare("SELECT lines, bytes FROM job_log_cuts WHERE job_id = ?");
  }

  /** Appends one line (without its newline). */
  append(jobId: string, text: string): void {
    const half = Math.max(1024, Math.floor(this.maxBytes() / 2));
    const s = this.state(jobId);
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
      this.insert.run(jobId, seq, "head", line);
      s.headBytes += bytes;
      return;
    }
    this.db.transaction(() => {
      this.insert.run(jobId, seq, "tail", line);
      s.tail.push({ seq, bytes });
      s.tailBytes += bytes;
      let cut = false;
      while (s.tailBytes > half && s.tail.length - s.start > 1) {
        const oldest = s.tail[s.start++] as { seq: number; bytes: number };
        this.deleteLine.run(jobId, oldest.seq);
        s.tailBytes -= oldest.bytes;
        s.cutLines++;
        s.cutBytes += oldest.bytes;
        cut = true;
      }
      if (cut) this.upsertCut.run(jobId, s.cutLines, s.cutBytes);
      if (s.start > 1024 && s.start > s.tail.length / 2) {
        s.tail = s.tail.slice(s.start);
        s.start = 0;
      }
    })();
  }

  /** The whole log as one string, with a line saying what was cut and where. */
  read(jobId: string): string {
    const rows = this.lines.all(jobId) as { part: string; line: string }[];
    const cut = this.cutOf.get(jobId) as { lines: number; bytes: number } | undefined;
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
  pruneOrphans(): void {
    const orphan =
      "job_id NOT IN (SELECT execution_id FROM executions) AND job_id NOT IN (SELECT training_id FROM trainings) AND job_id NOT IN (SELECT benchmark_id FROM benchmarks)";
    this.db.prepare(`DELETE FROM job_logs WHERE ${orphan}`).run();
    this.db.prepare(`DELETE FROM job_log_cuts WHERE ${orphan}`).run();
  }

  /** The append state of a job: held in memory while it runs, rebuilt from the table otherwise. */
  private state(jobId: string): LogState {
    let s = this.states.get(jobId);
    if (s) return s;
    s = { nextSeq: 0, headBytes: 0, tail: [], start: 0, tailBytes: 0, cutLines: 0, cutBytes: 0 };
    const rows = this.db.prepare("SELECT seq, part, octet_length(line) AS bytes FROM job_logs WHERE job_id = ? ORDER BY seq").all(jobId) as { seq: number; part: string; bytes: number }[];
    for (const r of rows) {
      if (r.part === "head") s.headBytes += r.bytes;
      else {
        s.tail.push({ seq: r.seq, bytes: r.bytes });
        s.tailBytes += r.bytes;
      }
      s.nextSeq = r.seq + 1;
    }
    const cut = this.cutOf.get(jobId) as { lines: number; bytes: number } | undefined;
    if (cut) {
      s.cutLines = cut.lines;
      s.cutBytes = cut.bytes;
    }
    this.states.set(jobId, s);
    return s;
  }
}
