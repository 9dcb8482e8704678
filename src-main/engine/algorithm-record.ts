// Builds the API's Algorithm record from stored rows, and filters records as Compox does.
import type { Algorithm, AlgorithmFilter } from "../contract/algorithm.js";
import type { StorageMetrics } from "./storage-metrics.js";
import type { LineRow, VersionRow } from "./store/algorithms-repo.js";

/** The Algorithm record of a line, showing its latest minor version's metadata. */
export function toAlgorithmRecord(line: LineRow, latest: VersionRow, minors: readonly number[], storageMetrics: StorageMetrics | null = null): Algorithm {
  const c = latest.config;
  return {
    algorithm_id: line.algorithm_id,
    algorithm_name: line.name,
    algorithm_version: String(line.major),
    algorithm_minor_version: String(line.latest_minor),
    algorithm_minor_versions: minors.map(String),
    latest_algorithm_minor_version: String(line.latest_minor),
    algorithm_input_queue: `${line.name.toLowerCase()}-${line.major}`,
    algorithm_type: c.algorithm_type,
    algorithm_tags: c.tags,
    algorithm_description: c.description,
    supported_devices: c.supported_devices,
    default_device: c.default_device,
    additional_parameters: c.additional_parameters,
    training_parameters: c.training_parameters,
    benchmark_outputs: c.benchmark_outputs ?? [], // versions deployed before benchmarks existed have none
    trainable: c.trainable || c.training_parameters.length > 0,
    removable: c.removable,
    exportable: c.exportable,
    storage_metrics: storageMetrics,
  };
}

const lower = (xs: readonly string[] | undefined) => (xs ?? []).map((x) => x.toLowerCase());

/** Positive tags must all be present, negative ones absent; type and devices compare case-insensitively. */
export function matchesFilter(a: Algorithm, f: AlgorithmFilter): boolean {
  const tags = new Set(lower(a.algorithm_tags));
  if (!lower(f.positive_tag).every((t) => tags.has(t))) return false;
  if (lower(f.negative_tag).some((t) => tags.has(t))) return false;
  if (f.algorithm_type && a.algorithm_type.toLowerCase() !== f.algorithm_type.toLowerCase()) return false;
  const devices = new Set(lower(a.supported_devices));
  return lower(f.supported_devices).every((d) => devices.has(d));
}
