// Logs move out of the record rows into a table of lines: appending a line was rewriting the whole
// log (quadratic), and a log could grow without bound. Each job keeps a head and a tail of lines;
// what falls between them is counted in job_log_cuts.
import type { Database } from "better-sqlite3";

export const version = 4;

export function up(db: Database): void {
  db.exec(`
    CREATE TABLE job_logs (
      job_id TEXT NOT NULL,            -- an execution_id or a training_id
      seq INTEGER NOT NULL,
      part TEXT NOT NULL CHECK (part IN ('head', 'tail')),
      line TEXT NOT NULL,              -- with its trailing newline
      PRIMARY KEY (job_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE job_log_cuts (
      job_id TEXT PRIMARY KEY,
      lines INTEGER NOT NULL,
      bytes INTEGER NOT NULL
    );
    INSERT INTO job_logs SELECT execution_id, 0, 'head', log FROM executions WHERE log != '';
    INSERT INTO job_logs SELECT training_id, 0, 'head', log FROM trainings WHERE log != '';
    UPDATE executions SET log = '' WHERE log != '';
    UPDATE trainings SET log = '' WHERE log != '';
  `);
}
