// Executions: submit, poll, list, stop (SPEC section 6).
import { z } from "zod";
import { DetailSchema, ExecutionIdSchema } from "../../contract/api.js";
import { BenchmarkRecordSchema, BenchmarkRequestSchema, ExecuteRequestSchema, ExecutionRecordSchema, STATUSES } from "../../contract/records.js";
import type { Engine } from "../../engine/index.js";
import { jsonBody, param, query, type Router } from "../router.js";

const ListQuery = z.object({
  algorithm_id: z.string().optional(),
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  before: z.string().optional(),
});

export function executionRoutes(r: Router, engine: Engine): void {
  r.route(
    { method: "post", path: "/api/v0/execute-algorithm", summary: "Queue an execution; returns its id at once", tags: ["executions"], body: ExecuteRequestSchema, response: ExecutionIdSchema, errors: [404, 422, 503] },
    async (c) => c.json(await engine.execute(await jsonBody(c, ExecuteRequestSchema))),
  );
  r.route(
    { method: "get", path: "/api/v0/executions", summary: "Executions, newest first", tags: ["executions"], query: ListQuery, response: z.array(ExecutionRecordSchema) },
    async (c) => c.json(await engine.listExecutions(query(c, ListQuery))),
  );
  r.route(
    { method: "get", path: "/api/v0/executions/{id}", summary: "An execution record", tags: ["executions"], response: ExecutionRecordSchema, errors: [404] },
    async (c) => c.json(await engine.getExecution(param(c, "id"))),
  );
  r.route(
    { method: "post", path: "/api/v0/benchmark-algorithm", summary: "Queue the runner's benchmark(args); returns its id at once (Compox 3.2)", tags: ["benchmarks"], body: BenchmarkRequestSchema, response: z.object({ benchmark_id: z.string() }), errors: [404, 422, 503] },
    async (c) => c.json(await engine.benchmark(await jsonBody(c, BenchmarkRequestSchema))),
  );
  r.route(
    { method: "get", path: "/api/v0/benchmarks/{id}", summary: "A benchmark record; `data` is what benchmark() returned", tags: ["benchmarks"], response: BenchmarkRecordSchema, errors: [404] },
    async (c) => c.json(await engine.getBenchmark(param(c, "id"))),
  );
  r.route(
    { method: "post", path: "/api/v0/executions/{id}/stop", summary: "Stop a queued or running execution", tags: ["executions"], response: DetailSchema, errors: [400, 404] },
    async (c) => c.json(await engine.stopExecution(param(c, "id"))),
  );
}
