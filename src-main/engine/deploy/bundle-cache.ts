// Bundles of TS/JS modules cached on disk by module_id, each with a source map next to it so stack
// traces point at the author's lines.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { SourceFile } from "./folder-scan.js";
import { bundleModule, type BundleOptions } from "./bundler.js";
import { DeployError } from "../../contract/errors.js";

/** How a bundle's shipped imports are resolved, and a key naming that resolution (part of the cache file name). */
export interface BundleImports {
  key: string;
  resolve: NonNullable<BundleOptions["externalUrl"]>;
}

/** Returns the path of the module's bundle, building and caching it on first use. */
export async function ensureBundle(cacheDir: string, moduleId: string, sources: () => SourceFile[], entryPoint: string, minify: boolean, imports: BundleImports): Promise<string> {
  // The imports point into this installation: a moved or upgraded application builds anew.
  const name = `${moduleId}-${imports.key}${minify ? ".min" : ""}.mjs`;
  const target = path.join(cacheDir, name);
  if (fs.existsSync(target)) return target;
  const bundle = await bundleModule(sources(), entryPoint, { minify, externalUrl: imports.resolve });
  if ("problems" in bundle) throw new DeployError(bundle.problems);
  fs.mkdirSync(cacheDir, { recursive: true });
  const code = `${bundle.code.replace(/\/\/# sourceMappingURL=.*\s*$/, "")}\n//# sourceMappingURL=${name}.map\n`;
  // Map first, then the code, each renamed into place: a reader never sees a half bundle.
  for (const [file, content] of [[`${target}.map`, bundle.map], [target, code]] as const) {
    const tmp = `${file}.${randomUUID()}.tmp`;
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }
  return target;
}
