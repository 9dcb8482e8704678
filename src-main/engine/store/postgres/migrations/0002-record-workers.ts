// SQLite's 0007: records name the worker that ran them (cluster mode).
export const version = 2;

export const sql = `
ALTER TABLE executions ADD COLUMN worker TEXT;
ALTER TABLE trainings ADD COLUMN worker TEXT;
ALTER TABLE benchmarks ADD COLUMN worker TEXT;
`;
