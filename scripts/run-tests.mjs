// Runs every *.test.ts with node's test runner (TAP, streamed as it comes), then closes with a
// summary of the tests skipped for a missing system package and the command that installs them.
// Under CI=true such a skip fails the run: CI must install what the tests need.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const SKIP = /# SKIP needs system package (.+?) \(install: (.+?)\)\s*$/;

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === "node_modules" || name.startsWith(".")) return [];
    if (statSync(p).isDirectory()) return testFiles(p);
    return name.endsWith(".test.ts") ? [path.relative(root, p)] : [];
  });
}

const files = ["src-main", "src-renderer", "scripts", "algorithms", "e2e"].flatMap((d) => testFiles(path.join(root, d))).sort();
const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=tap", ...files], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });

const missing = new Map(); // package list → tests skipped for it
const totals = { pass: 0, fail: 0, skipped: 0 };
let setup = "npm run setup:system";
let rest = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  const lines = (rest + chunk.toString("utf8")).split("\n");
  rest = lines.pop() ?? "";
  for (const line of lines) {
    const skip = SKIP.exec(line);
    if (skip && /^\s*ok \d+ - /.test(line)) {
      missing.set(skip[1], [...(missing.get(skip[1]) ?? []), line.replace(/^\s*ok \d+ - /, "").replace(SKIP, "").trim()]);
      setup = skip[2];
    }
    const total = /^# (pass|fail|skipped) (\d+)$/.exec(line);
    if (total) totals[total[1]] = Number(total[2]);
  }
});

child.on("exit", (code) => {
  const skippedForSystem = [...missing.values()].reduce((n, t) => n + t.length, 0);
  console.log("");
  if (skippedForSystem > 0) {
    console.log(`# ${skippedForSystem} test(s) skipped for missing system packages:`);
    for (const [pkgs, tests] of missing) console.log(`#   ${pkgs}: ${tests.length} (${tests.slice(0, 3).join("; ")}${tests.length > 3 ? "; …" : ""})`);
    console.log(`# install them all with: ${setup}`);
  }
  const ciSkip = process.env.CI === "true" && skippedForSystem > 0;
  if (ciSkip) console.log(`# CI=true: ${skippedForSystem} skip(s) for missing system packages count as failures; .ci/run must install them`);
  const failed = totals.fail + (ciSkip ? skippedForSystem : 0);
  console.log(`tests: ${totals.pass} passed, ${failed} failed, ${totals.skipped} skipped`);
  process.exit(code !== 0 ? code ?? 1 : ciSkip ? 1 : 0);
});
