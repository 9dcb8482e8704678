// Lint, including the import layers of DESIGN.md: contract ← engine ← server ← cli / electron,
// and the renderer sees only the contract. A wrong import fails CI. kernels/ is AssemblyScript,
// checked by its own compiler (scripts/build-kernels.mjs).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layer = (files, patterns, message) => ({
  files,
  ignores: ["**/*.test.ts"],
  rules: { "no-restricted-imports": ["error", { patterns: patterns.map((group) => ({ group: [group], message })) }] },
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "**/__fixtures__/**", "algorithms/**", "e2e/screenshots/**", "bench/results/**", "kernels/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-empty-function": "off",
    },
  },
  {
    // The record store is asynchronous: a promise left unawaited, or tested as a value, is a bug.
    files: ["src-main/**/*.ts", "e2e/**/*.ts", "bench/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test() returns a promise the runner itself awaits.
      "@typescript-eslint/no-floating-promises": ["error", { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite", "before", "after"] }] }],
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "@typescript-eslint/await-thenable": "error",
    },
  },
  layer(["src-main/contract/**"], ["../*", "!./*", "electron", "better-sqlite3", "node:*"], "contract/ imports zod only: it is shared with the renderer"),
  layer(["src-main/engine/**"], ["electron", "**/server/**", "**/cli/**", "**/electron/**", "hono", "hono/*"], "the engine is a plain Node library: no electron, server or cli imports"),
  // Adapters reach the engine only through its public API (engine/index.ts); their tests and test
  // support (testing/) may reach in.
  ...["src-main/server/**", "src-main/cli/**", "src-main/electron/**"].map((files) => ({
    files: [files],
    ignores: ["**/*.test.ts", "**/testing/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "/engine/(?!index\\.js$)", message: "adapters use the engine through its public API: import from engine/index.js" },
            ...(files === "src-main/server/**" ? ["electron", "**/cli/**", "**/electron/**"].map((group) => ({ group: [group], message: "the server is an adapter over the engine: no cli or electron imports" })) : []),
          ],
        },
      ],
    },
  })),
  // runtime/ by where code runs: the engine-side host (runtime/*.ts), the TS/JS runner process
  // (node-runner/: it sees only the SDK, the protocol, the HDF5 reader and the contract), and what
  // both speak (protocol/).
  ...[
    ["src-main/engine/runtime/node-runner/**", "^\\.\\./(?!protocol/|\\.\\./sdk/|\\.\\./datasets/hdf5\\.js$|\\.\\./\\.\\./contract/)", "the runner process sees only the SDK, runtime/protocol, the HDF5 reader and the contract, never the engine's host side"],
    ["src-main/engine/runtime/protocol/**", "^\\.\\./(?!\\.\\./sdk/|\\.\\./\\.\\./contract/)", "the runner protocol is shared by both sides: it imports only the SDK's types and the contract"],
    ["src-main/engine/runtime/*.ts", "node-runner/", "the engine-side host starts runner processes by path, never by importing their code"],
    // Jobs know a JobQueue, not which mode chose it (engine.ts does).
    ["src-main/engine/jobs/**", "^\\.\\./cluster/", "jobs/ works through the JobQueue port (jobs/job-queue.ts); only engine.ts knows cluster mode"],
  ].map(([files, regex, message]) => ({ files: [files], ignores: ["**/*.test.ts"], rules: { "no-restricted-imports": ["error", { patterns: [{ regex, message }] }] } })),
  layer(["src-renderer/**"], ["**/src-main/engine/**", "**/src-main/server/**", "**/src-main/cli/**", "**/src-main/electron/**", "electron", "node:*"], "the renderer talks to the engine only through the HTTP client and src-main/contract"),
);
