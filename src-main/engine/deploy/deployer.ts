// Deploys an algorithm folder or zip: validate everything first, store blobs, then apply the
// versioning decision in one transaction, so a failed deploy leaves the store as it was.
import fs from "node:fs";
import path from "node:path";
import { v1 as uuidv1 } from "uuid";
import type { DeployResult } from "../../contract/algorithm.js";
import { ConfigError, DeployError, type Problem } from "../../contract/errors.js";
import { formatCompoxTime } from "../../contract/time.js";
import { blobIdOfFile, type BlobStore } from "../blobs/blob-store.js";
import { parsePyproject, type ParsedPyproject } from "../config/pyproject.js";
import { AlgorithmsRepo, type AssetRow } from "../store/algorithms-repo.js";
import { isDescriptionFile } from "../sdk/bioimageio/description-file.js";
import type { Db } from "../store/db.js";
import { bundleModule, runnerExportProblem } from "./bundler.js";
import { BYTECODE_ENTRY, scanFolder, type ScannedFolder } from "./folder-scan.js";
import { computeModuleId, zipFiles } from "./module-zip.js";
import { decideVersion } from "./versioning.js";
import { extractAlgorithmZip, type ZipLimits } from "./zip-extract.js";

export interface DeployContext {
  db: Db;
  repo: AlgorithmsRepo;
  blobs: BlobStore;
  now: () => Date;
  /** Where a zip is unpacked while it deploys (under the data directory, swept at start). */
  scratchDir: string;
  /** Limits on what an uploaded zip may unpack to (settings max_unzipped_mb, max_zip_entry_mb, max_zip_entries). */
  zipLimits?: () => ZipLimits;
  /** Loads a module once when its pyproject says `check_importable = true`. */
  checkImportable?: (c: { moduleId: string; scan: ScannedFolder }) => Promise<Problem | undefined>;
  /** Why modules of `language` cannot run here (a missing interpreter), if they cannot. */
  checkLanguage?: (language: "ts" | "py") => string | undefined;
  /** Why bytecode with this magic number (hex) cannot run here, if it cannot. */
  checkBytecode?: (magicHex: string) => string | undefined;
  /** The Python interpreter, if there is one (a model package's TorchScript weights run with it). */
  python?: () => string | undefined;
}

/** Checks a folder's code: a Python runner defines class Runner; a TS/JS one bundles and exports it. */
async function checkModule(scan: ScannedFolder): Promise<Problem[]> {
  const entry = scan.entryPoint;
  if (!entry) return [];
  if (entry === BYTECODE_ENTRY) {
    const code = scan.sources.find((f) => f.path === entry)?.content;
    return code && code.length >= 16 && code.includes("Runner") ? [] : [{ file: entry, path: "", message: "is not Python bytecode of a module defining Runner; export the algorithm again, or deploy its sources (Runner.py)" }];
  }
  if (scan.language === "py") {
    const source = scan.sources.find((f) => f.path === entry)?.content.toString("utf8") ?? "";
    return /^class\s+Runner\b/m.test(source) ? [] : [{ file: entry, path: "", message: "does not define class Runner: write `class Runner(Image2ImageRunner):` (or another runner base)" }];
  }
  const bundle = await bundleModule(scan.sources, entry);
  if ("problems" in bundle) return bundle.problems;
  const missing = runnerExportProblem(bundle, entry);
  return missing ? [missing] : [];
}

/** Reads and validates a folder; throws one error that lists every problem found. */
export async function validateFolder(folder: string): Promise<{ scan: ScannedFolder; parsed: ParsedPyproject }> {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
    throw new DeployError([{ file: folder, path: "", message: "not a folder: give the algorithm folder (or a .zip of it)" }]);
  const scan = scanFolder(folder);
  let parsed: ParsedPyproject | undefined;
  const configProblems: Problem[] = [];
  if (scan.pyproject !== undefined) {
    try {
      parsed = parsePyproject(scan.pyproject);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      configProblems.push(...err.problems);
    }
  }
  const structural = [...scan.problems, ...(await checkModule(scan))];
  if (structural.length > 0) throw new DeployError([...configProblems, ...structural]);
  if (configProblems.length > 0 || parsed === undefined) throw new ConfigError(configProblems);
  return { scan, parsed };
}

/** What a deploy request may set over the pyproject (Compox 3.2's deploy/local query). */
export interface DeployOverrides {
  algorithm_name?: string;
  algorithm_major_version?: number;
  removable?: boolean;
  exportable?: boolean;
  /** A bioimage.io package that fails its reproduction test (or whose files changed) is deployed anyway, marked unverified. */
  force?: boolean;
}

/** Deploys a folder or a `.zip` of one. */
export async function deployPath(ctx: DeployContext, source: string, overrides: DeployOverrides = {}): Promise<DeployResult> {
  if (fs.existsSync(source) && fs.statSync(source).isFile()) return deployZip(ctx, fs.readFileSync(source), path.basename(source), overrides);
  return deployFolder(ctx, source, overrides);
}

/** Deploys the algorithm in a zip (uploaded or on disk) through a temporary folder. */
export async function deployZip(ctx: DeployContext, zipBytes: Buffer, label = "algorithm.zip", overrides: DeployOverrides = {}): Promise<DeployResult> {
  const tmp = fs.mkdtempSync(path.join(ctx.scratchDir, "deploy-"));
  try {
    return await deployFolder(ctx, await extractAlgorithmZip(zipBytes, tmp, label, ctx.zipLimits?.()), overrides);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The result of deploying `folder` when it is exactly its line's latest version already (same
 * sources, assets and pyproject text): that version passed every check when it was deployed, so
 * this answers "unchanged" without bundling, zipping or storing anything — the bundled algorithms
 * are redeployed at every start. Undefined whenever the full path must decide (it also reports
 * every problem).
 */
async function unchangedDeploy(ctx: DeployContext, folder: string, overrides: DeployOverrides): Promise<DeployResult | undefined> {
  if (Object.keys(overrides).length > 0 || !fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) return undefined;
  const scan = scanFolder(folder);
  if (scan.problems.length > 0 || scan.pyproject === undefined || !scan.language || ctx.checkLanguage?.(scan.language)) return undefined;
  let parsed: ParsedPyproject;
  try {
    parsed = parsePyproject(scan.pyproject);
  } catch {
    return undefined;
  }
  const line = await ctx.repo.findLine(parsed.config.name, parsed.config.major);
  const latest = line && (await ctx.repo.getVersion(line.algorithm_id, line.latest_minor));
  if (!line || !latest || latest.pyproject !== scan.pyproject || latest.module_id !== computeModuleId(scan.sources)) return undefined;
  const stored = new Map((await ctx.repo.assets(line.algorithm_id, line.latest_minor)).map((a) => [a.path, a.asset_id]));
  if (stored.size !== scan.assets.length || scan.assets.some((a) => stored.get(a.path) !== blobIdOfFile(a.source))) return undefined;
  return { algorithm_id: line.algorithm_id, algorithm_name: line.name, algorithm_major_version: String(line.major), algorithm_minor_version: String(line.latest_minor), changed: false, outcome: "unchanged", warnings: parsed.warnings };
}

/** A folder without a pyproject.toml that holds a bioimage.io description file (read to be sure). */
function mayBeModelPackage(folder: string): boolean {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory() || fs.existsSync(path.join(folder, "pyproject.toml"))) return false;
  return fs.readdirSync(folder).some(isDescriptionFile);
}

/** Deploys an algorithm folder under SPEC section 2's versioning rules; a bioimage.io model
 * package is verified and deployed as the algorithm it describes (bioimageio/import.ts). */
export async function deployFolder(ctx: DeployContext, folder: string, overrides: DeployOverrides = {}): Promise<DeployResult> {
  // Loaded only for a folder that may be one: YAML, the pipeline and ONNX Runtime stay out of start-up.
  const model = mayBeModelPackage(folder) ? await import("../bioimageio/import.js") : undefined;
  const description = model?.modelDescriptionIn(folder);
  if (model && description) {
    const tmp = fs.mkdtempSync(path.join(ctx.scratchDir, "model-"));
    try {
      return await deployFolder(ctx, await model.algorithmFromModel(folder, description, tmp, { python: ctx.python?.(), force: overrides.force }), overrides);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const unchanged = await unchangedDeploy(ctx, folder, overrides);
  if (unchanged) return unchanged;
  const { scan, parsed } = await validateFolder(folder);
  const { warnings } = parsed;
  const config = {
    ...parsed.config,
    ...(overrides.algorithm_name !== undefined && { name: overrides.algorithm_name }),
    ...(overrides.algorithm_major_version !== undefined && { major: overrides.algorithm_major_version }),
    ...(overrides.removable !== undefined && { removable: overrides.removable }),
    ...(overrides.exportable !== undefined && { exportable: overrides.exportable }),
  };
  const entryPoint = scan.entryPoint as string;

  const moduleId = computeModuleId(scan.sources);
  const cannotRun = scan.language && ctx.checkLanguage?.(scan.language);
  if (cannotRun) throw new DeployError([{ file: scan.entryPoint ?? "Runner.py", path: "", message: cannotRun }]);
  if (entryPoint === BYTECODE_ENTRY) {
    const magic = scan.sources.find((f) => f.path === entryPoint)?.content.subarray(0, 4).toString("hex") ?? "";
    const wrongPython = ctx.checkBytecode?.(magic);
    if (wrongPython) throw new DeployError([{ file: entryPoint, path: "", message: wrongPython }]);
  }
  if (config.check_importable && ctx.checkImportable) {
    const problem = await ctx.checkImportable({ moduleId, scan });
    if (problem) throw new DeployError([problem]);
  }

  // Blobs first: content-addressed, so a failure after this point leaves only unreferenced files.
  const moduleBlob = ctx.blobs.putBuffer(zipFiles(scan.sources));
  const assets: AssetRow[] = [];
  for (const a of scan.assets) {
    const stored = await ctx.blobs.putFile(a.source);
    assets.push({ path: a.path, asset_id: stored.id, size: stored.size });
  }
  await ctx.blobs.publish(); // cluster mode: in the shared store before any record names them
  const assetMap = Object.fromEntries(assets.map((a) => [a.path, a.asset_id]));
  const at = formatCompoxTime(ctx.now());
  const pyproject = scan.pyproject as string;

  // IMMEDIATE: two deployers (CLI beside a server) must not both read "latest" and both add a minor.
  return ctx.db.transaction(async (tx): Promise<DeployResult> => {
    const repo = new AlgorithmsRepo(tx);
    await repo.upsertModule({ module_id: moduleId, blob_id: moduleBlob.id, language: scan.language ?? "ts", entry_point: entryPoint });
    const line = await repo.findLine(config.name, config.major);
    const latest = line && {
      minor: line.latest_minor,
      module_id: (await repo.getVersion(line.algorithm_id, line.latest_minor))?.module_id ?? "",
      assets: Object.fromEntries((await repo.assets(line.algorithm_id, line.latest_minor)).map((a) => [a.path, a.asset_id])),
    };
    const decision = decideVersion(latest, { module_id: moduleId, assets: assetMap }, config.minor);
    const algorithmId = line?.algorithm_id ?? uuidv1();
    const result = (outcome: DeployResult["outcome"]): DeployResult => ({
      algorithm_id: algorithmId,
      algorithm_name: line?.name ?? config.name,
      algorithm_major_version: String(config.major),
      algorithm_minor_version: String(decision.minor),
      changed: outcome === "created" || outcome === "new_minor",
      outcome,
      warnings,
    });
    switch (decision.kind) {
      case "create_line":
        await repo.insertLine({ algorithm_id: algorithmId, name: config.name, major: config.major, latest_minor: decision.minor, created_at: at });
        break;
      case "add_minor":
        await repo.setLatestMinor(algorithmId, decision.minor);
        break;
      case "unchanged":
        return result((await repo.updateMetadata(algorithmId, decision.minor, config, pyproject, at)) ? "metadata_updated" : "unchanged");
    }
    await repo.insertVersion({ algorithm_id: algorithmId, minor: decision.minor, module_id: moduleId, config, pyproject, created_at: at, updated_at: at });
    await repo.insertAssets(algorithmId, decision.minor, assets);
    await repo.setStorageMetrics(algorithmId, null);
    return result(decision.kind === "create_line" ? "created" : "new_minor");
  }, { exclusive: true });
}
