#!/usr/bin/env node
// The npm bin: runs the CLI built into dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write("compox: dist/cli.mjs is missing; run `npm run build` in the compox-desktop folder\n");
  process.exit(2);
}
await import(cli);
