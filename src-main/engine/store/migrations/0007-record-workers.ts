// Cluster mode: execution, training and benchmark records name the worker that ran them (or the
// one a session pins them to). NULL on the desktop and for jobs no worker has taken yet.
import type { Database } from "better-sqlite3";

export const version = 7;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE executions ADD COLUMN worker TEXT;
    ALTER TABLE trainings ADD COLUMN worker TEXT;
    ALTER TABLE benchmarks ADD COLUMN worker TEXT;
  `);
}
