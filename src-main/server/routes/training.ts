// Samples, trainings and checkpoints (SPEC section 6).
import { z } from "zod";
import { DetailSchema } from "../../contract/api.js";
import { CheckpointSchema, CreateSampleSchema, SampleSchema, STATUSES, TrainingRecordSchema, TrainRequestSchema } from "../../contract/records.js";
import type { Engine } from "../../engine/index.js";
import { jsonBody, param, query, type Router } from "../router.js";

const TagQuery = z.object({ positive_tags: z.array(z.string()).optional(), negative_tags: z.array(z.string()).optional() });
const TrainingListQuery = z.object({ algorithm_id: z.string().optional(), status: z.enum(STATUSES).optional(), limit: z.coerce.number().int().min(1).max(1000).default(50), before: z.string().optional() });

export function trainingRoutes(r: Router, engine: Engine): void {
  r.route(
    { method: "post", path: "/api/v0/sample", summary: "Store a sample: input/target dataset pairs", tags: ["training"], body: CreateSampleSchema, response: z.object({ sample_id: z.string() }), errors: [404, 422] },
    async (c) => c.json(await engine.createSample(await jsonBody(c, CreateSampleSchema))),
  );
  r.route({ method: "get", path: "/api/v0/sample/all", summary: "Samples, filtered by tags", tags: ["training"], query: TagQuery, response: z.array(SampleSchema) }, async (c) => c.json(await engine.listSamples(query(c, TagQuery))));
  r.route({ method: "get", path: "/api/v0/sample/{id}", summary: "A sample", tags: ["training"], response: SampleSchema, errors: [404] }, async (c) => c.json(await engine.getSample(param(c, "id"))));
  r.route({ method: "delete", path: "/api/v0/sample/{id}", summary: "Delete a sample", tags: ["training"], response: DetailSchema, errors: [404] }, async (c) => {
    await engine.deleteSample(param(c, "id"));
    return c.json({ detail: "sample deleted" });
  });
  r.route(
    { method: "post", path: "/api/v0/train-algorithm", summary: "Queue a training; returns its id at once", tags: ["training"], body: TrainRequestSchema, response: z.object({ training_id: z.string() }), errors: [404, 422, 503] },
    async (c) => c.json(await engine.train(await jsonBody(c, TrainRequestSchema))),
  );
  r.route({ method: "get", path: "/api/v0/training/all", summary: "Trainings, newest first", tags: ["training"], query: TrainingListQuery, response: z.array(TrainingRecordSchema) }, async (c) => c.json(await engine.listTrainings(query(c, TrainingListQuery))));
  r.route({ method: "get", path: "/api/v0/training/{id}", summary: "A training record", tags: ["training"], response: TrainingRecordSchema, errors: [404] }, async (c) => c.json(await engine.getTraining(param(c, "id"))));
  r.route({ method: "post", path: "/api/v0/training/{id}/stop", summary: "Stop a training", tags: ["training"], response: DetailSchema, errors: [400, 404] }, async (c) => c.json(await engine.stopTraining(param(c, "id"))));
  r.route({ method: "get", path: "/api/v0/checkpoint/all", summary: "Checkpoints, filtered by tags", tags: ["training"], query: TagQuery, response: z.array(CheckpointSchema) }, async (c) => c.json(await engine.listCheckpoints(query(c, TagQuery))));
  r.route({ method: "get", path: "/api/v0/checkpoint/{id}", summary: "A checkpoint", tags: ["training"], response: CheckpointSchema, errors: [404] }, async (c) => c.json(await engine.getCheckpoint(param(c, "id"))));
  r.route({ method: "delete", path: "/api/v0/checkpoint/{id}", summary: "Delete a checkpoint", tags: ["training"], response: DetailSchema, errors: [404] }, async (c) => {
    await engine.deleteCheckpoint(param(c, "id"));
    return c.json({ detail: "checkpoint deleted" });
  });
}
