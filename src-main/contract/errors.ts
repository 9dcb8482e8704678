// The closed set of error codes, shared by the engine, the HTTP API, the CLI and the renderer.
// Errors cross process and HTTP boundaries as `{detail, code, details}`, never as raw Error objects.
import { redactUrlsIn } from "./redact.js";

/** Every error code with the HTTP status it maps to. */
export const ERROR_CODES = {
  config_invalid: 400,
  config_missing: 400,
  deploy_failed: 400,
  bundle_failed: 400,
  unsafe_path: 400,
  algorithm_not_found: 404,
  algorithm_not_removable: 400,
  algorithm_not_exportable: 403,
  dataset_not_found: 404,
  invalid_hdf5: 422,
  invalid_image: 422,
  upload_too_large: 413,
  /** A request over one of the limit settings (unzipped size, zip entries, JSON body size). */
  limit_exceeded: 413,
  /** A dataset too large or too small for what was asked (a preview, an export). */
  dataset_unsuitable: 422,
  execution_not_found: 404,
  execution_not_stoppable: 400,
  training_not_found: 404,
  training_not_stoppable: 400,
  sample_not_found: 404,
  sample_input_files_not_found: 404,
  checkpoint_not_found: 404,
  benchmark_not_found: 404,
  deploy_record_not_found: 404,
  deploy_path_not_found: 400,
  parameters_invalid: 422,
  device_not_supported: 422,
  /** A bioimage.io model package that cannot be deployed: its description, its files' sha256, its weights, or its reproduction test. */
  model_invalid: 422,
  /** The algorithm is not an imported bioimage.io model (it has no model card), or the card has no such cover. */
  model_card_not_found: 404,
  queue_full: 503,
  /** A service cluster mode depends on (shared storage, the queue, the database) does not answer. */
  service_unavailable: 503,
  /** The disk holding the data directory is full: free space and try again. */
  disk_full: 507,
  data_dir_in_use: 409,
  forbidden: 403,
  not_found: 404,
  invalid_request: 422,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem in a user's file, located by file and field path. */
export interface Problem {
  file: string;
  path: string;
  message: string;
}

/** The JSON shape of every error that leaves the engine. */
export interface ErrorBody {
  detail: string;
  code: ErrorCode;
  /** Whether the same request may succeed if sent again unchanged (Compox 3.2): a full queue, a service that is down. */
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** What a 5xx says to a client (Compox 3.2 hides the cause; the server logs it). */
export const INTERNAL_ERROR_DETAIL = "Failed due to an internal server error.";

/** The body a client gets for `err`: our own errors as they are (they say what to fix, even a
 * 5xx), anything unexpected hidden behind Compox 3.2's sanitized 500. */
export function errorBodyOf(err: unknown): ErrorBody {
  return err instanceof CompoxError ? err.toJSON() : { detail: INTERNAL_ERROR_DETAIL, code: "internal_error", retryable: false };
}

/** Codes whose request may succeed unchanged a little later (a full queue drains). */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["queue_full", "service_unavailable"]);

/** Base of every error the engine raises on purpose: it carries a code and what to fix. */
export class CompoxError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, detail: string, details?: Record<string, unknown>) {
    super(detail);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_CODES[this.code];
  }
  toJSON(): ErrorBody {
    // A message may quote a service URL (a connection that failed): never with its password.
    const detail = redactUrlsIn(this.message);
    const retryable = RETRYABLE.has(this.code);
    return this.details === undefined ? { detail, code: this.code, retryable } : { detail, code: this.code, retryable, details: this.details };
  }
}

/** A pyproject.toml (or other user config) that breaks the contract; lists every problem. */
export class ConfigError extends CompoxError {
  readonly problems: Problem[];
  constructor(problems: Problem[], code: ErrorCode = "config_invalid") {
    super(code, formatProblems(problems), { errors: problems });
    this.problems = problems;
  }
}

/** An algorithm folder or zip that cannot be deployed (entry point, imports, symlinks, files). */
export class DeployError extends ConfigError {
  constructor(problems: Problem[]) {
    super(problems, "deploy_failed");
  }
}

/** Something asked for does not exist. */
export class NotFoundError extends CompoxError {}

/** Renders problems as one line each: `file: path: message`. */
export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.file}${p.path ? `: ${p.path}` : ""}: ${p.message}`).join("\n");
}
