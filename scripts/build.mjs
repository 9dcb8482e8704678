// Builds dist/: the CLI, the Electron main process, the runner process entry, the `compox` SDK with its
// type declarations (for algorithm authors' editors), and the UI (dist/renderer, served at /ui/). Dependencies stay external: they are
// resolved from node_modules at run time.
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}/dist`, { recursive: true, force: true });

const common = { absWorkingDir: root, bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", sourcemap: "linked", logLevel: "warning", outExtension: { ".js": ".mjs" } };
// The CLI carries its pure-JS dependencies inside (one file to load instead of ~100: start-up is
// mostly module loading); native, WebAssembly and lazily required packages stay in node_modules.
const requireShim = { js: 'import { createRequire as __compoxCreateRequire } from "node:module"; const require = __compoxCreateRequire(import.meta.url);' };
const notBundled = ["better-sqlite3", "sharp", "onnxruntime-node", "esbuild", "h5wasm", "adm-zip", "electron", "electron-log", "fft.js", "ml-random-forest"];
await esbuild.build({ ...common, packages: undefined, external: notBundled, banner: requireShim, entryPoints: { cli: "src-main/cli/main.ts" }, outdir: "dist" });
await esbuild.build({ ...common, entryPoints: { runner: "src-main/engine/runtime/node-runner/runner-main.ts", "runner-worker": "src-main/engine/runtime/node-runner/runner-worker.ts", "plane-worker": "src-main/engine/datasets/plane-worker.ts", "electron-main": "src-main/electron/main.ts" }, outdir: "dist" });
await esbuild.build({ ...common, entryPoints: { compox: "src-main/engine/sdk/index.ts" }, outdir: "dist/sdk" });
// The Python runner and its `compox` package run from source files.
cpSync(`${root}/src-main/engine/runtime/python`, `${root}/dist/python`, { recursive: true, filter: (f) => !f.includes("__pycache__") });

// The window's UI: one browser bundle (it imports only src-main/contract), plus its page and styles.
// Code splitting keeps h5wasm (4 MB, for alignment matrices) out of the first load.
await esbuild.build({ absWorkingDir: root, entryPoints: ["src-renderer/main.ts"], outdir: "dist/renderer", splitting: true, chunkNames: "chunks/[name]-[hash]", bundle: true, minify: true, platform: "browser", format: "esm", target: "es2022", sourcemap: "linked", logLevel: "warning", external: ["module", "fs", "path", "url", "crypto", "worker_threads"] });
for (const file of ["index.html", "styles.css"]) copyFileSync(`${root}/src-renderer/${file}`, `${root}/dist/renderer/${file}`);

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.sdk.json"], { cwd: root, stdio: "inherit" });
mkdirSync(`${root}/dist/sdk`, { recursive: true });
writeFileSync(`${root}/dist/sdk/compox.d.ts`, '// Types of the `compox` module for algorithm authors.\nexport * from "./types/engine/sdk/index.js";\n');
console.log("built dist/");
