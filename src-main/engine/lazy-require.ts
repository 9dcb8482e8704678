// Loads a package on its first use instead of at start-up, so `compox serve` answers sooner:
// esbuild, adm-zip and sharp are needed by deploys, runner loads and images, not by the first request.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** A getter that loads the CommonJS package `name` the first time it is called. */
export function lazyRequire<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
