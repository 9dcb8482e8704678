// GET /openapi.json: the OpenAPI 3.1 document, generated from the endpoint table (contract/endpoints.ts).
import { z } from "zod";
import { ErrorBodySchema } from "../contract/api.js";
import { ENDPOINTS, type Endpoint } from "../contract/endpoints.js";

const json = (schema: z.ZodType, io: "input" | "output") => z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });

function responseContent(r: Endpoint["response"]) {
  if (r === undefined) return { "application/json": {} };
  if (typeof r === "string") return { [r]: { schema: r === "text/event-stream" || r === "text/html" || r === "text/csv" ? { type: "string" } : { type: "string", format: "binary" } } };
  return { "application/json": { schema: json(r, "output") } };
}

/** Builds the document of every endpoint in the table. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of Object.values(ENDPOINTS) as Endpoint[]) {
    const parameters = [
      ...[...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } })),
      ...Object.entries(r.query?.shape ?? {}).map(([name, schema]) => ({ name, in: "query", required: !(schema as z.ZodType).safeParse(undefined).success, schema: json(schema as z.ZodType, "input") })),
    ];
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: r.tags,
      parameters,
      responses: {
        200: { description: "OK", content: responseContent(r.response) },
        ...Object.fromEntries((r.errors ?? []).map((s) => [s, { description: "Error", content: { "application/json": { schema: json(ErrorBodySchema, "output") } } }])),
      },
    };
    if (r.body === "binary") op.requestBody = { required: true, content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } } };
    else if (r.body) op.requestBody = { required: true, content: { "application/json": { schema: json(r.body, "input") } } };
    (paths[r.path] ??= {})[r.method] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "Compox Desktop API", version, description: "Compox-compatible /api/v0 served by Compox Desktop." },
    paths,
  };
}
