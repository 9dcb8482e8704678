// Execution requests and records as the API carries them (SPEC section 6), plus the events.
import { z } from "zod";

/** PENDING → STARTED → RUNNING → COMPLETED | FAILED | STOPPED (PENDING and STARTED may also end early). */
export const STATUSES = ["PENDING", "STARTED", "RUNNING", "COMPLETED", "FAILED", "STOPPED"] as const;
export type Status = (typeof STATUSES)[number];
export type TerminalStatus = "COMPLETED" | "FAILED" | "STOPPED";

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
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;

/** Live events (SSE `GET /api/v0/events`); `id` increases by one per event. */
export type EngineEvent =
  | { id: number; type: "status"; execution_id: string; status: Status; progress: number }
  | { id: number; type: "progress"; execution_id: string; progress: number }
  | { id: number; type: "log"; execution_id: string; line: string }
  | { id: number; type: "deploy"; algorithm_id: string; algorithm_name: string; outcome: string; algorithm_minor_version: string };

/** An event before the bus numbers it. */
export type NewEngineEvent = EngineEvent extends infer E ? (E extends { id: number } ? Omit<E, "id"> : never) : never;
