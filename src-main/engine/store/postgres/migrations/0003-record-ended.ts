// SQLite's 0008: records say when they ended (ms since the epoch), for event streams that reconnect.
export const version = 3;

export const sql = `
ALTER TABLE executions ADD COLUMN ended_ms BIGINT;
ALTER TABLE trainings ADD COLUMN ended_ms BIGINT;
CREATE INDEX executions_ended ON executions(ended_ms);
CREATE INDEX trainings_ended ON trainings(ended_ms);
`;
