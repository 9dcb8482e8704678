// Samples, trainings and checkpoints (SPEC section 6).
import type { Engine } from "../../engine/index.js";
import type { Router } from "../router.js";

export function trainingRoutes(r: Router, engine: Engine): void {
  r.route("createSample", (_, { body }) => engine.createSample(body));
  r.route("listSamples", (_, { query }) => engine.listSamples(query));
  r.route("getSample", (_, { params }) => engine.getSample(params.id));
  r.route("deleteSample", async (_, { params }) => {
    await engine.deleteSample(params.id);
    return { detail: "sample deleted" };
  });
  r.route("train", (_, { body }) => engine.train(body));
  r.route("listTrainings", (_, { query }) => engine.listTrainings(query));
  r.route("getTraining", (_, { params }) => engine.getTraining(params.id));
  r.route("stopTraining", (_, { params }) => engine.stopTraining(params.id));
  r.route("listCheckpoints", (_, { query }) => engine.listCheckpoints(query));
  r.route("getCheckpoint", (_, { params }) => engine.getCheckpoint(params.id));
  r.route("deleteCheckpoint", async (_, { params }) => {
    await engine.deleteCheckpoint(params.id);
    return { detail: "checkpoint deleted" };
  });
}
