// Algorithms, export and deploy/remove (SPEC section 6).
import { z } from "zod";
import { AlgorithmSchema, DeployResultSchema } from "../../contract/algorithm.js";
import { RemoveResultSchema } from "../../contract/api.js";
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import { DeployRecordSchema } from "../../contract/records.js";
import type { Engine } from "../../engine/index.js";
import { query, param, type Router } from "../router.js";
import { attachment, readBody } from "../streams.js";

const FilterQuery = z.object({
  positive_tag: z.array(z.string()).optional(),
  negative_tag: z.array(z.string()).optional(),
  algorithm_type: z.string().optional(),
  supported_devices: z.array(z.string()).optional(),
});
const ExportQuery = z.object({ algorithm_minor_version: z.string().optional(), checkpoint_id: z.string().optional() });
const MinorQuery = z.object({ algorithm_minor_version: z.string().optional() });
const flag = () =>
  z
    .enum(["true", "false", "True", "False", "1", "0"], { error: 'must be "true" or "false"' })
    .transform((v) => v === "true" || v === "True" || v === "1")
    .optional();
// Compox 3.2's deploy/local query: the path, and values that replace the pyproject's.
const PathQuery = z.object({
  path: z.string().min(1, { error: "give the folder or .zip to deploy as ?path=" }),
  algorithm_name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "must be a name without spaces (letters, digits, '.', '_' or '-')" }).optional(),
  algorithm_major_version: z.string().regex(/^\d+$/, { error: "must be a whole number" }).transform(Number).optional(),
  removable: flag(),
  exportable: flag(),
});
const overridesOf = ({ path: _path, ...overrides }: z.output<typeof PathQuery>) => overrides;

function major(raw: string): number {
  if (!/^\d+$/.test(raw)) throw new NotFoundError("algorithm_not_found", `"${raw}" is not a major version number`);
  return Number(raw);
}

function minorOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d+$/.test(raw)) throw new CompoxError("invalid_request", `algorithm_minor_version "${raw}" is not a number`);
  return Number(raw);
}

export function algorithmRoutes(r: Router, engine: Engine): void {
  r.route(
    { method: "get", path: "/api/v0/algorithm/all", summary: "List deployed algorithms", tags: ["algorithms"], query: FilterQuery, response: z.array(AlgorithmSchema), errors: [404] },
    async (c) => {
      const all = await engine.listAlgorithms();
      if (all.length === 0) throw new NotFoundError("algorithm_not_found", "no algorithms are deployed");
      return c.json(await engine.listAlgorithms(query(c, FilterQuery)));
    },
  );
  r.route(
    { method: "get", path: "/api/v0/algorithm/{name}/{major}", summary: "The latest minor version of an algorithm line", tags: ["algorithms"], response: AlgorithmSchema, errors: [404] },
    async (c) => c.json(await engine.getAlgorithm(param(c, "name"), major(param(c, "major")))),
  );
  r.route(
    { method: "get", path: "/api/v0/algorithm/{name}/{major}/export", summary: "The algorithm folder as a zip", tags: ["algorithms"], query: ExportQuery, response: "application/zip", errors: [403, 404] },
    async (c) => {
      const q = query(c, ExportQuery);
      const zip = await engine.exportAlgorithm(param(c, "name"), major(param(c, "major")), minorOf(q.algorithm_minor_version), q.checkpoint_id || undefined);
      return c.body(new Uint8Array(zip.bytes), 200, { "content-type": "application/zip", "content-disposition": attachment(zip.filename) });
    },
  );
  r.route(
    { method: "post", path: "/api/v0/deploy/local", summary: "Deploy a folder or .zip on this computer", tags: ["deploy"], query: PathQuery, response: DeployResultSchema, errors: [400] },
    async (c) => {
      const q = query(c, PathQuery);
      return c.json(await engine.deploy(q.path, overridesOf(q)));
    },
  );
  r.route(
    { method: "post", path: "/api/v0/deploy/local-async", summary: "Start deploying a folder or .zip in the background; poll GET /api/v0/deploy/{deploy_id}", tags: ["deploy"], query: PathQuery, response: z.object({ deploy_id: z.string() }), errors: [422] },
    async (c) => {
      const q = query(c, PathQuery);
      return c.json(await engine.deployAsync(q.path, overridesOf(q)));
    },
  );
  r.route(
    { method: "get", path: "/api/v0/deploy/{deploy_id}", summary: "An asynchronous deploy: PENDING, RUNNING, COMPLETED (with result) or FAILED (with error)", tags: ["deploy"], response: DeployRecordSchema, errors: [404] },
    async (c) => c.json(await engine.getDeploy(param(c, "deploy_id"))),
  );
  r.route(
    { method: "post", path: "/api/v0/deploy/upload", summary: "Deploy an uploaded .zip (raw body)", tags: ["deploy"], body: "binary", response: DeployResultSchema, errors: [400, 413] },
    async (c) => c.json(await engine.deployZip(await readBody(c, engine.settings.max_upload_mb), "upload.zip")),
  );
  r.route(
    { method: "delete", path: "/api/v0/deploy/algorithm/{algorithm_id}", summary: "Remove an algorithm line or one minor version", tags: ["deploy"], query: MinorQuery, response: RemoveResultSchema, errors: [400, 404] },
    async (c) => {
      const minor = minorOf(query(c, MinorQuery).algorithm_minor_version);
      const removed = await engine.removeAlgorithm(param(c, "algorithm_id"), { minor });
      const detail = removed.removed_minor_versions.length > 0 ? `removed minor version(s) ${removed.removed_minor_versions.join(", ")}` : `minor version ${minor} does not exist; nothing was removed`;
      return c.json({ detail, ...removed });
    },
  );
}
