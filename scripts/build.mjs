// Builds dist/: the CLI (and, as they land, the runner entry points, the SDK and the UI).
// Dependencies stay external: they are resolved from node_modules at run time.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { cli: "src-main/cli/main.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
console.log("built dist/");
