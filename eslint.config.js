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
  // Adapters reach the engine only through its public API (engine/index.ts).
  ...["src-main/server/**", "src-main/cli/**", "src-main/electron/**"].map((files) => ({
    files: [files],
    ignores: ["**/*.test.ts"],
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
  layer(["src-renderer/**"], ["**/src-main/engine/**", "**/src-main/server/**", "**/src-main/cli/**", "**/src-main/electron/**", "electron", "node:*"], "the renderer talks to the engine only through the HTTP client and src-main/contract"),
);
