// Samples (input/target dataset pairs a training reads) and the checkpoints trainings save, as
// the API lists, shows and deletes them. Trainings themselves run as jobs (jobs/job-service.ts).
import { v1 as uuidv1 } from "uuid";
import { NotFoundError } from "../../contract/errors.js";
import type { Checkpoint, Sample } from "../../contract/records.js";
import { formatCompoxTime } from "../../contract/time.js";
import type { DatasetStore } from "../datasets/dataset-store.js";
import type { TagFilter } from "../engine-api.js";
import type { AlgorithmsRepo } from "../store/algorithms-repo.js";
import type { TrainingRepo } from "../store/training-repo.js";

/** Compox's tag filters: every positive tag present, no negative tag present. */
export function hasTags(tags: readonly string[], f: TagFilter): boolean {
  return (f.positive_tags ?? []).every((t) => tags.includes(t)) && !(f.negative_tags ?? []).some((t) => tags.includes(t));
}

export interface SamplesCheckpointsDeps {
  training: TrainingRepo;
  algorithms: AlgorithmsRepo;
  datasets: DatasetStore;
  now: () => Date;
  /** Deletes blobs nothing refers to any more (a deleted checkpoint's files). */
  deleteUnreferenced: (blobIds: Iterable<string>) => Promise<void>;
}

export class SamplesCheckpoints {
  constructor(private readonly deps: SamplesCheckpointsDeps) {}

  /** Stores a sample of input/target dataset pairs; 404 naming datasets that do not exist. */
  async createSample(body: { files: Sample["files"]; tags?: string[] | null }): Promise<{ sample_id: string }> {
    const { datasets, training, now } = this.deps;
    const missing = await datasets.missing(body.files.flatMap((f) => [...f.input, ...f.target]));
    if (missing.length > 0) throw new NotFoundError("sample_input_files_not_found", `sample files not found: ${missing.join(", ")}`, { missing });
    const sample: Sample = { sample_id: uuidv1(), files: body.files, tags: body.tags ?? [], time_created: formatCompoxTime(now()) };
    await training.insertSample(sample, now().getTime());
    return { sample_id: sample.sample_id };
  }

  /** Samples with all positive tags and none of the negative ones. */
  async listSamples(filter: TagFilter = {}): Promise<Sample[]> {
    return (await this.deps.training.listSamples()).filter((s) => hasTags(s.tags, filter));
  }

  async getSample(id: string): Promise<Sample> {
    const s = await this.deps.training.getSample(id);
    if (!s) throw new NotFoundError("sample_not_found", `sample ${id} not found`);
    return s;
  }

  async deleteSample(id: string): Promise<void> {
    if (!(await this.deps.training.deleteSample(id))) throw new NotFoundError("sample_not_found", `sample ${id} not found`);
  }

  async listCheckpoints(filter: TagFilter = {}): Promise<Checkpoint[]> {
    return (await this.deps.training.listCheckpoints()).filter((c) => hasTags(c.tags, filter));
  }

  async getCheckpoint(id: string): Promise<Checkpoint> {
    const c = await this.deps.training.getCheckpoint(id);
    if (!c) throw new NotFoundError("checkpoint_not_found", `checkpoint ${id} not found`);
    return this.deps.training.publicCheckpoint(c);
  }

  /** Deletes a checkpoint and the files no one else refers to; its algorithm's storage metrics go stale. */
  async deleteCheckpoint(id: string): Promise<void> {
    const { training, algorithms } = this.deps;
    const c = await training.getCheckpoint(id);
    if (!c) throw new NotFoundError("checkpoint_not_found", `checkpoint ${id} not found`);
    await algorithms.setStorageMetrics(c.parent_algorithm_id, null);
    await this.deps.deleteUnreferenced(await training.deleteCheckpoint(id));
  }
}
