// Algorithms, export and deploy/remove (SPEC section 6).
import type { Endpoints, HandlerInput } from "../../contract/endpoints.js";
import { CompoxError, NotFoundError } from "../../contract/errors.js";
import type { Engine } from "../../engine/index.js";
import type { Router } from "../router.js";
import { attachment, readBody } from "../streams.js";

type DeployQuery = HandlerInput<Endpoints["deployLocal"]>["query"];
const overridesOf = ({ path: _path, ...overrides }: DeployQuery) => overrides;

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
  r.route("listAlgorithms", async (_, { query }) => {
    const all = await engine.listAlgorithms();
    if (all.length === 0) throw new NotFoundError("algorithm_not_found", "no algorithms are deployed");
    return engine.listAlgorithms(query);
  });
  r.route("getAlgorithm", (_, { params }) => engine.getAlgorithm(params.name, major(params.major)));
  r.route("modelCard", (_, { params }) => engine.modelCard(params.name, major(params.major)));
  r.route("modelCover", async (c, { params }) => {
    if (!/^\d+$/.test(params.n)) throw new NotFoundError("model_card_not_found", `"${params.n}" is not a cover number (0, 1, …)`);
    const cover = await engine.modelCover(params.name, major(params.major), Number(params.n));
    return c.body(new Uint8Array(cover.bytes), 200, { "content-type": cover.contentType, "cache-control": "no-cache" });
  });
  r.route("exportAlgorithm", async (c, { params, query }) => {
    const zip = await engine.exportAlgorithm(params.name, major(params.major), minorOf(query.algorithm_minor_version), query.checkpoint_id || undefined);
    return c.body(new Uint8Array(zip.bytes), 200, { "content-type": "application/zip", "content-disposition": attachment(zip.filename) });
  });
  r.route("deployLocal", (_, { query }) => engine.deploy(query.path, overridesOf(query)));
  r.route("deployLocalAsync", (_, { query }) => engine.deployAsync(query.path, overridesOf(query)));
  r.route("getDeploy", (_, { params }) => engine.getDeploy(params.deploy_id));
  r.route("deployUpload", async (c, { query }) => engine.deployZip(await readBody(c, engine.settings.max_upload_mb), "upload.zip", { force: query.force }));
  r.route("removeAlgorithm", async (_, { params, query }) => {
    const minor = minorOf(query.algorithm_minor_version);
    const removed = await engine.removeAlgorithm(params.algorithm_id, { minor });
    const detail = removed.removed_minor_versions.length > 0 ? `removed minor version(s) ${removed.removed_minor_versions.join(", ")}` : `minor version ${minor} does not exist; nothing was removed`;
    return { detail, ...removed };
  });
}
