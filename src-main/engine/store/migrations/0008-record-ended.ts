// Execution and training records say when (ms since the epoch) they ended, so an event stream that
// reconnects — to a restarted node, or another one — can be told every end it missed since its
// last event. NULL while a job runs, and for records that ended before this migration.
import type { Database } from "better-sqlite3";

export const version = 8;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE executions ADD COLUMN ended_ms INTEGER;
    ALTER TABLE trainings ADD COLUMN ended_ms INTEGER;
    CREATE INDEX executions_ended ON executions(ended_ms);
    CREATE INDEX trainings_ended ON trainings(ended_ms);
  `);
}
