// Executions and benchmarks: submit, poll, list, stop (SPEC section 6).
import type { Engine } from "../../engine/index.js";
import type { Router } from "../router.js";

export function executionRoutes(r: Router, engine: Engine): void {
  r.route("execute", (_, { body }) => engine.execute(body));
  r.route("listExecutions", (_, { query }) => engine.listExecutions(query));
  r.route("getExecution", (_, { params }) => engine.getExecution(params.id));
  r.route("stopExecution", (_, { params }) => engine.stopExecution(params.id));
  r.route("benchmark", (_, { body }) => engine.benchmark(body));
  r.route("getBenchmark", (_, { params }) => engine.getBenchmark(params.id));
}
