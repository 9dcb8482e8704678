// Execution and training records keep their algorithm's name, so the history still names an
// algorithm after it was removed (its line is deleted with it). Existing rows take the name of
// their algorithm where it still exists.
import type { Database } from "better-sqlite3";

export const version = 6;

export function up(db: Database): void {
  db.exec(`
    ALTER TABLE executions ADD COLUMN algorithm_name TEXT;
    ALTER TABLE trainings ADD COLUMN algorithm_name TEXT;
    UPDATE executions SET algorithm_name = (SELECT name FROM algorithms WHERE algorithms.algorithm_id = executions.algorithm_id);
    UPDATE trainings SET algorithm_name = (SELECT name FROM algorithms WHERE algorithms.algorithm_id = trainings.algorithm_id);
  `);
}
