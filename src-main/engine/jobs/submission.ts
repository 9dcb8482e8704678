// A request becomes a job: validated against what is deployed and stored (404s and 422s that name
// what is missing or wrong), and built into its PENDING record and its queue entry. Nothing is
// written here; the job service records and queues what this returns.
import { v1 as uuidv1 } from "uuid";
import type { Device } from "../../contract/algorithm-config.js";
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import { resolveParameters } from "../../contract/parameter-values.js";
import type { BenchmarkRecord, BenchmarkRequest, ExecuteRequest, ExecutionRecord, TrainingRecord, TrainRequest } from "../../contract/records.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { DatasetStore } from "../datasets/dataset-store.js";
import { resolveDevice, type GpuInfo } from "../runtime/devices.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { TrainingRepo } from "../store/training-repo.js";
import { runnerKey, type QueuedJob } from "./queued-job.js";

export interface SubmissionDeps {
  algorithms: AlgorithmsRepo;
  datasets: DatasetStore;
  training: TrainingRepo;
  gpus: () => GpuInfo;
  now: () => Date;
}

/** A validated request: its record, its queue entry, and the warnings its log starts with. */
export interface Submission<R> {
  record: R;
  queued: QueuedJob;
  /** Runs on a Python runner here (so it needs an interpreter now, on the desktop). */
  needsPython: boolean;
  warnings: string[];
}

/** The algorithm line and minor version a request names (the latest minor by default), or a 404. */
async function versionOf(algorithms: AlgorithmsRepo, req: { algorithm_id: string; algorithm_minor_version?: string | number | null }) {
  const raw = req.algorithm_minor_version;
  const wanted = raw === null || raw === undefined || raw === "" ? null : Number(raw);
  const found = wanted === null || Number.isInteger(wanted) ? await algorithms.runnable(req.algorithm_id, wanted) : undefined;
  if (found) return { line: found.line, minor: found.version.minor, version: found.version, language: found.language };
  // Not found: the separate reads say what is missing.
  const line = await algorithms.getLine(req.algorithm_id);
  if (!line) throw new NotFoundError("algorithm_not_found", `algorithm ${req.algorithm_id} not found`);
  const minor = wanted ?? line.latest_minor;
  const version = Number.isInteger(minor) ? await algorithms.getVersion(line.algorithm_id, minor) : undefined;
  if (!version) throw new NotFoundError("algorithm_not_found", `${line.name} ${line.major} has no minor version ${raw}; it has ${(await algorithms.minors(line.algorithm_id)).join(", ")}`);
  return { line, minor, version, language: (await algorithms.getModule(version.module_id))?.language ?? "ts" };
}

/** A checkpoint of `algorithmId`, or a 404 naming it. */
export async function requireCheckpoint(training: TrainingRepo, id: string, algorithmId: string): Promise<void> {
  const c = await training.getCheckpoint(id);
  if (!c || c.parent_algorithm_id !== algorithmId) throw new NotFoundError("checkpoint_not_found", `checkpoint ${id} not found for algorithm ${algorithmId}`);
}

/** An execution request, validated and built. */
export async function executionOf(deps: SubmissionDeps, req: ExecuteRequest): Promise<Submission<ExecutionRecord>> {
  const missing = await deps.datasets.missing(req.input_dataset_ids);
  if (missing.length > 0) throw new NotFoundError("dataset_not_found", `input datasets not found: ${missing.join(", ")}`, { missing });
  const { line, minor, version, language } = await versionOf(deps.algorithms, req);
  if (req.checkpoint_id) await requireCheckpoint(deps.training, req.checkpoint_id, line.algorithm_id);
  const config = version.config;
  const override = req.execution_device_override?.toLowerCase() || null;
  // As Compox 3.2: an override the algorithm does not support (or one like "cuda:0") runs on
  // the default device, with a warning in the log, rather than refusing the request.
  const usable = override !== null && (config.supported_devices as string[]).includes(override);
  const warnings: string[] = [];
  if (override !== null && !usable) warnings.push(`execution_device_override "${override}" is not one of ${line.name}'s supported devices (${config.supported_devices.join(", ")}): running on its default device ${config.default_device}`);
  const params = resolveParameters(config.additional_parameters, req.additional_parameters);
  if (params.problems.length > 0) {
    const allowed = config.additional_parameters.map((p) => p.name).join(", ");
    throw new CompoxError("parameters_invalid", `invalid additional_parameters: ${params.problems.join("; ")} (declared: ${allowed})`, { errors: params.problems });
  }
  const device = resolveDevice((usable ? override : config.default_device) as Device, deps.gpus());
  if (device.warning) warnings.push(device.warning);
  for (const name of params.undeclared) warnings.push(`parameter "${name}" is not declared by ${line.name}; passed to the runner as given`);
  const record: ExecutionRecord = {
    execution_id: uuidv1(),
    algorithm_id: line.algorithm_id,
    algorithm_minor_version: String(minor),
    input_dataset_ids: [...req.input_dataset_ids],
    execution_device_override: override,
    resolved_execution_device: device.device,
    additional_parameters: params.values,
    session_token: req.session_token || uuidv1(),
    checkpoint_id: req.checkpoint_id ?? null,
    output_dataset_ids: [],
    status: "PENDING",
    progress: 0,
    time_started: formatCompoxTime(deps.now()),
    time_completed: "",
    log: "",
    algorithm_name: line.name,
  };
  const key = runnerKey(language, line.algorithm_id, minor, device.device);
  const queued: QueuedJob = { id: record.execution_id, kind: "execution", moduleId: version.module_id, key, device: device.device, target: record, session: req.session_token || undefined, sessionToken: record.session_token };
  return { record, queued, needsPython: language === "py", warnings };
}

/** A training request (runner.train()), validated and built. */
export async function trainingOf(deps: SubmissionDeps, req: TrainRequest): Promise<Submission<TrainingRecord>> {
  const samples = await Promise.all(req.training_data.map((id) => deps.training.getSample(id)));
  const missingSamples = req.training_data.filter((_, i) => !samples[i]);
  if (missingSamples.length > 0) throw new NotFoundError("sample_not_found", `samples not found: ${missingSamples.join(", ")}`, { missing: missingSamples });
  const files = samples.flatMap((s) => s?.files.flatMap((f) => [...f.input, ...f.target]) ?? []);
  const missingFiles = await deps.datasets.missing(files);
  if (missingFiles.length > 0) throw new NotFoundError("dataset_not_found", `sample files not found: ${missingFiles.join(", ")}`, { missing: missingFiles });
  const { line, minor, version, language } = await versionOf(deps.algorithms, req);
  const config = version.config;
  if (req.checkpoint_id) await requireCheckpoint(deps.training, req.checkpoint_id, line.algorithm_id);
  const params = resolveParameters(config.training_parameters, req.additional_parameters);
  if (params.problems.length > 0) throw new CompoxError("parameters_invalid", `invalid training parameters: ${params.problems.join("; ")}`, { errors: params.problems });
  const record: TrainingRecord = {
    training_id: uuidv1(),
    algorithm_id: line.algorithm_id,
    status: "PENDING",
    progress: 0,
    time_started: formatCompoxTime(deps.now()),
    time_completed: "",
    log: "",
    training_data: [...req.training_data],
    additional_parameters: params.values,
    state: {},
    tags: req.tags ?? [],
    checkpoint_id: req.checkpoint_id ?? null,
    algorithm_minor_version: String(minor),
    output_checkpoint_ids: [],
    algorithm_name: line.name,
  };
  // Compox 3.x accepts the request and lets the training fail in the runner (its HTTP tests
  // expect 200): the log says why before the runner does.
  const warnings =
    !config.trainable && config.training_parameters.length === 0
      ? [`${line.name} does not declare itself trainable (trainable = true or training_parameters in its pyproject.toml); its Runner's train() is called anyway`]
      : [];
  const device = resolveDevice(config.default_device, deps.gpus()).device;
  const queued: QueuedJob = { id: record.training_id, kind: "training", moduleId: version.module_id, key: runnerKey(language, line.algorithm_id, minor, device), device, target: record };
  return { record, queued, needsPython: false, warnings };
}

/** A benchmark request: the runner's benchmark(args) on the latest minor, default device, no
 * checkpoint (as Compox 3.2); the parameters are passed as given. */
export async function benchmarkOf(deps: SubmissionDeps, req: BenchmarkRequest): Promise<Submission<BenchmarkRecord>> {
  const { line, minor, version, language } = await versionOf(deps.algorithms, { algorithm_id: req.algorithm_id });
  const record: BenchmarkRecord = {
    benchmark_id: uuidv1(),
    algorithm_id: line.algorithm_id,
    additional_parameters: { ...(req.additional_parameters ?? {}) },
    status: "PENDING",
    time_started: formatCompoxTime(deps.now()),
    time_completed: "",
    log: "",
    data: {},
  };
  const target = { algorithm_id: line.algorithm_id, algorithm_minor_version: String(minor), checkpoint_id: null };
  const device = resolveDevice(version.config.default_device, deps.gpus()).device;
  const queued: QueuedJob = { id: record.benchmark_id, kind: "benchmark", moduleId: version.module_id, key: runnerKey(language, line.algorithm_id, minor, device), device, target };
  return { record, queued, needsPython: language === "py", warnings: [] };
}
