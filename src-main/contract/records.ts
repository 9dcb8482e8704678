// Execution requests and records as the API carries them (SPEC section 6), plus the events.
import { z } from "zod";

/** PENDING → STARTED → RUNNING → COMPLETED | FAILED | STOPPED (PENDING and STARTED may also end early). */
export const STATUSES = ["PENDING", "STARTED", "RUNNING", "COMPLETED", "FAILED", "STOPPED"] as const;
export type Status = (typeof STATUSES)[number];
export type TerminalStatus = "COMPLETED" | "FAILED" | "STOPPED";

/** The end states as an SQL list, for writes that must never move a record out of one. */
export const TERMINAL_SQL = "('COMPLETED', 'FAILED', 'STOPPED')";

/** Is `status` an end state? Exhaustive: adding a status breaks the build here. */
export function isTerminal(status: Status): status is TerminalStatus {
  switch (status) {
    case "PENDING":
    case "STARTED":
    case "RUNNING":
      return false;
    case "COMPLETED":
    case "FAILED":
    case "STOPPED":
      return true;
  }
}

/** The transitions the state machine allows. */
export function canTransition(from: Status, to: Status): boolean {
  switch (from) {
    case "PENDING":
      return to === "STARTED" || to === "FAILED" || to === "STOPPED";
    case "STARTED":
      return to === "RUNNING" || to === "FAILED" || to === "STOPPED";
    case "RUNNING":
      return to === "COMPLETED" || to === "FAILED" || to === "STOPPED";
    case "COMPLETED":
    case "FAILED":
    case "STOPPED":
      return false;
  }
}

const id = z.string().min(1);

export const ExecuteRequestSchema = z.object({
  algorithm_id: id,
  input_dataset_ids: z.array(id),
  additional_parameters: z.record(z.string(), z.unknown()).nullish(),
  execution_device_override: z.string().nullish(),
  session_token: z.string().nullish(),
  algorithm_minor_version: z.union([z.string(), z.number()]).nullish(),
  checkpoint_id: z.string().nullish(),
});
export type ExecuteRequest = z.infer<typeof ExecuteRequestSchema>;

export const ExecutionRecordSchema = z.object({
  execution_id: z.string(),
  algorithm_id: z.string(),
  algorithm_minor_version: z.string(),
  input_dataset_ids: z.array(z.string()),
  execution_device_override: z.string().nullable(),
  resolved_execution_device: z.string(),
  additional_parameters: z.record(z.string(), z.unknown()),
  session_token: z.string(),
  checkpoint_id: z.string().nullable(),
  output_dataset_ids: z.array(z.string()),
  status: z.enum(STATUSES),
  progress: z.number(),
  time_started: z.string(),
  time_completed: z.string(),
  log: z.string(),
  /** Compox Desktop's: the algorithm's name when the run was made, so it outlives a removal. */
  algorithm_name: z.string().optional(),
  /** Cluster mode: the worker that ran it (an extra field; Compox has none). */
  worker: z.string().optional(),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

export const SampleFilesSchema = z.array(z.object({ input: z.array(id), target: z.array(id) }));
export const CreateSampleSchema = z.object({ files: SampleFilesSchema, tags: z.array(z.string()).nullish() });
export const SampleSchema = z.object({ sample_id: z.string(), files: SampleFilesSchema, tags: z.array(z.string()), time_created: z.string() });
export type Sample = z.infer<typeof SampleSchema>;

export const TrainRequestSchema = z.object({
  algorithm_id: id,
  training_data: z.array(id),
  additional_parameters: z.record(z.string(), z.unknown()).nullish(),
  checkpoint_id: z.string().nullish(),
  algorithm_minor_version: z.union([z.string(), z.number()]).nullish(),
  tags: z.array(z.string()).nullish(),
});
export type TrainRequest = z.infer<typeof TrainRequestSchema>;

export const TrainingRecordSchema = z.object({
  training_id: z.string(),
  algorithm_id: z.string(),
  status: z.enum(STATUSES),
  progress: z.number(),
  time_started: z.string(),
  time_completed: z.string(),
  log: z.string(),
  training_data: z.array(z.string()),
  additional_parameters: z.record(z.string(), z.unknown()),
  state: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
  checkpoint_id: z.string().nullable(),
  algorithm_minor_version: z.string(),
  output_checkpoint_ids: z.array(z.string()),
  /** Compox Desktop's: the algorithm's name when the training was made, so it outlives a removal. */
  algorithm_name: z.string().optional(),
  /** Cluster mode: the worker that ran it (an extra field; Compox has none). */
  worker: z.string().optional(),
});
export type TrainingRecord = z.infer<typeof TrainingRecordSchema>;

export const CheckpointSchema = z.object({
  checkpoint_id: z.string(),
  training_id: z.string(),
  parent_algorithm_id: z.string(),
  parent_checkpoint_id: z.string().nullable(),
  created_at: z.string(),
  properties: z.record(z.string(), z.unknown()),
  tags: z.array(z.string()),
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;

export const BenchmarkRequestSchema = z.object({
  algorithm_id: id,
  additional_parameters: z.record(z.string(), z.unknown()).nullish(),
});
export type BenchmarkRequest = z.infer<typeof BenchmarkRequestSchema>;

/** Compox 3.2's benchmark record: exactly these keys (no progress, no device). */
export const BenchmarkRecordSchema = z.object({
  benchmark_id: z.string(),
  algorithm_id: z.string(),
  additional_parameters: z.record(z.string(), z.unknown()),
  status: z.enum(STATUSES),
  time_started: z.string(),
  time_completed: z.string(),
  log: z.string(),
  /** What the runner's benchmark() returned; {} until it completes, and on failure. */
  data: z.record(z.string(), z.unknown()),
  /** Cluster mode: the worker that ran it (an extra field; Compox has none). */
  worker: z.string().optional(),
});
export type BenchmarkRecord = z.infer<typeof BenchmarkRecordSchema>;

export const DEPLOY_STATUSES = ["PENDING", "RUNNING", "COMPLETED", "FAILED"] as const;

/** An asynchronous deploy (POST /api/v0/deploy/local-async), with Compox 3.2's fields. */
export const DeployRecordSchema = z.object({
  deploy_id: z.string(),
  path: z.string(),
  status: z.enum(DEPLOY_STATUSES),
  time_started: z.string(),
  time_completed: z.string(),
  /** Filled in once COMPLETED. */
  algorithm_id: z.string().nullable(),
  algorithm_name: z.string().nullable(),
  algorithm_major_version: z.string().nullable(),
  algorithm_minor_version: z.string().nullable(),
  /** What went wrong, once FAILED ("" otherwise), as Compox's `log`. */
  log: z.string(),
  /** The error body once FAILED (ours: the code and details behind `log`), else null. */
  error: z.record(z.string(), z.unknown()).nullable(),
});
export type DeployRecord = z.infer<typeof DeployRecordSchema>;

/** Which record an event is about: an execution, a training or a benchmark. */
export type JobRef = { execution_id: string } | { training_id: string } | { benchmark_id: string };

/** Live events (SSE `GET /api/v0/events`); `id` increases by one per event. */
export type EngineEvent =
  | ({ id: number; type: "status"; status: Status; progress: number } & JobRef)
  | ({ id: number; type: "progress"; progress: number } & JobRef)
  | ({ id: number; type: "log"; line: string } & JobRef)
  | ({ id: number; type: "state"; state: Record<string, unknown> } & { training_id: string })
  | { id: number; type: "deploy"; algorithm_id: string; algorithm_name: string; outcome: string; algorithm_minor_version: string };

/** An event before the bus numbers it. */
export type NewEngineEvent = EngineEvent extends infer E ? (E extends { id: number } ? Omit<E, "id"> : never) : never;
