// The Algorithm record and deploy result as the HTTP API and `compox list --json` return them.
import { z } from "zod";
import { ALGORITHM_TYPES, DEVICES } from "./algorithm-config.js";

const ParameterOut = z.object({
  name: z.string(),
  displayed_name: z.string(),
  description: z.string(),
  config: z.record(z.string(), z.unknown()),
});

/** SPEC section 6 "Algorithm": versions are strings, as Compox clients expect. */
export const AlgorithmSchema = z.object({
  algorithm_id: z.string(),
  algorithm_name: z.string(),
  algorithm_version: z.string(),
  algorithm_minor_version: z.string(),
  algorithm_minor_versions: z.array(z.string()),
  latest_algorithm_minor_version: z.string(),
  algorithm_input_queue: z.string(),
  algorithm_type: z.enum(ALGORITHM_TYPES),
  algorithm_tags: z.array(z.string()),
  algorithm_description: z.string(),
  supported_devices: z.array(z.enum(DEVICES)),
  default_device: z.enum(DEVICES),
  additional_parameters: z.array(ParameterOut),
  training_parameters: z.array(ParameterOut),
  /** Describes the keys of a benchmark's `data` (Compox 3.2). */
  benchmark_outputs: z.array(ParameterOut),
  trainable: z.boolean(),
  removable: z.boolean(),
  exportable: z.boolean(),
  /** What the algorithm takes in the store (Compox 3.2), recomputed after changes. */
  storage_metrics: z
    .object({
      logical_size_bytes: z.number(),
      module_bytes: z.number(),
      asset_bytes: z.number(),
      checkpoint_manifest_bytes: z.number(),
      module_count: z.number(),
      asset_count: z.number(),
      checkpoint_count: z.number(),
      last_recomputed_at: z.string(),
    })
    .nullable(),
});
export type Algorithm = z.infer<typeof AlgorithmSchema>;

/** What a deploy did: created a line, added a minor, only refreshed metadata, or nothing. */
export const DEPLOY_OUTCOMES = ["created", "new_minor", "metadata_updated", "unchanged"] as const;
export type DeployOutcome = (typeof DEPLOY_OUTCOMES)[number];

export const DeployResultSchema = z.object({
  algorithm_id: z.string(),
  algorithm_name: z.string(),
  algorithm_major_version: z.string(),
  algorithm_minor_version: z.string(),
  /** True when a line or a minor version was created. */
  changed: z.boolean(),
  outcome: z.enum(DEPLOY_OUTCOMES),
  warnings: z.array(z.object({ file: z.string(), path: z.string(), message: z.string() })),
});
export type DeployResult = z.infer<typeof DeployResultSchema>;

/** Filters of GET /api/v0/algorithm/all. */
export interface AlgorithmFilter {
  positive_tag?: string[];
  negative_tag?: string[];
  algorithm_type?: string;
  supported_devices?: string[];
}
