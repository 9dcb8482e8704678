// Bundles a TS/JS module with esbuild from its stored sources (not the folder on disk), so the
// bundle checked at deploy time is exactly the one loaded at run time.
import { builtinModules } from "node:module";
import path from "node:path";
import type * as Esbuild from "esbuild";
import { lazyRequire } from "../lazy-require.js";
import type { Problem } from "../../contract/errors.js";
import type { SourceFile } from "./folder-scan.js";

/** Bare imports an algorithm may use: the SDK and the packages the application ships. */
export const SHIPPED_PACKAGES = ["compox", "onnxruntime-node", "zod", "fft.js", "ml-random-forest"] as const;

const RESOLVE_SUFFIXES = ["", ".ts", ".mts", ".js", ".mjs", "/index.ts", "/index.js", "/index.mjs"];
const NAMESPACE = "compox-module";
const esbuild = lazyRequire<typeof Esbuild>("esbuild");

export interface Bundle {
  code: string;
  /** Source map (JSON) pointing at the author's files. */
  map: string;
  exports: string[];
}

export interface BundleOptions {
  minify?: boolean;
  /** Where a shipped package's import should point in the bundle (an absolute URL), so the
   * runner process needs no module resolve hook; bare specifiers stay when this is absent. */
  externalUrl?: (spec: string) => string | undefined;
}

/** The package name of a bare specifier: `onnxruntime-node/dist/x` → `onnxruntime-node`. */
export function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? spec);
}

/** Is `spec` (or a subpath of it) a package the application ships, `compox` included? */
export function isShippedPackage(spec: string): boolean {
  return (SHIPPED_PACKAGES as readonly string[]).includes(packageName(spec));
}

/** Is a bare import resolved at run time to Node or the application (never bundled)? */
export function isExternalImport(spec: string): boolean {
  if (spec.startsWith("node:")) return true;
  if (builtinModules.includes(spec) || builtinModules.includes(packageName(spec))) return true;
  return isShippedPackage(spec);
}

function resolveRelative(files: Map<string, SourceFile>, importer: string, spec: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(importer), spec));
  // TypeScript's ESM convention imports "./x.js" for x.ts.
  const stems = /\.m?js$/.test(base) ? [base, base.replace(/\.js$/, ".ts").replace(/\.mjs$/, ".mts")] : [base];
  for (const stem of stems) for (const suffix of RESOLVE_SUFFIXES) if (files.has(stem + suffix)) return stem + suffix;
  return undefined;
}

function toProblem(msg: Esbuild.Message): Problem {
  return { file: msg.location?.file.replace(`${NAMESPACE}:`, "") ?? "", path: msg.location ? `line ${msg.location.line}` : "", message: msg.text };
}

/** Bundles `entryPoint` from in-memory sources; unresolvable imports come back as problems. */
export async function bundleModule(sources: readonly SourceFile[], entryPoint: string, options: BundleOptions = {}): Promise<Bundle | { problems: Problem[] }> {
  const files = new Map(sources.map((f) => [f.path, f]));
  const plugin: Esbuild.Plugin = {
    name: "compox-module",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === "entry-point") return { path: args.path, namespace: NAMESPACE };
        if (args.path.startsWith(".") || args.path.startsWith("/")) {
          const found = args.path.startsWith("/") ? undefined : resolveRelative(files, args.importer, args.path);
          if (found) return { path: found, namespace: NAMESPACE };
          return {
            errors: [{ text: `cannot import "${args.path}": no such module file in the algorithm (only .ts/.mts/.js/.mjs files are code; read other files with fetchAsset)` }],
          };
        }
        if (isExternalImport(args.path)) return { path: options.externalUrl?.(args.path) ?? args.path, external: true };
        return {
          errors: [{ text: `cannot import "${args.path}": only Node built-ins and the packages Compox Desktop ships (${SHIPPED_PACKAGES.join(", ")}) may be imported; copy other code into the algorithm folder` }],
        };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
        const file = files.get(args.path);
        if (!file) return { errors: [{ text: `missing source ${args.path}` }] };
        const ext = path.posix.extname(args.path);
        return { contents: file.content, loader: ext === ".ts" || ext === ".mts" ? "ts" : "js" };
      });
    },
  };
  try {
    const result = await esbuild().build({
      entryPoints: [entryPoint],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: "bundle.mjs",
      sourcemap: "external",
      sourcesContent: true,
      metafile: true,
      minify: options.minify ?? false,
      logLevel: "silent",
      plugins: [plugin],
    });
    const code = result.outputFiles.find((f) => f.path.endsWith(".mjs"))?.text ?? "";
    const map = result.outputFiles.find((f) => f.path.endsWith(".map"))?.text ?? "";
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
    return { code, map, exports: output?.exports ?? [] };
  } catch (err) {
    const failure = err as Esbuild.BuildFailure;
    if (Array.isArray(failure.errors)) return { problems: failure.errors.map(toProblem) };
    throw err;
  }
}

/** Checks that a bundle exports a Runner the engine can instantiate. */
export function runnerExportProblem(bundle: Bundle, entryPoint: string): Problem | undefined {
  if (bundle.exports.includes("Runner") || bundle.exports.includes("default")) return undefined;
  return { file: entryPoint, path: "", message: "does not export Runner: write `export class Runner extends Image2ImageRunner { … }` (or `export default class …`)" };
}
