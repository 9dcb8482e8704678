// Compox's versioning rules (SPEC section 2) as a pure decision, so each rule has its own test.

/** What identifies a minor version's content: its module and its assets. */
export interface VersionContent {
  module_id: string;
  /** Asset path → asset id (content hash). */
  assets: Readonly<Record<string, string>>;
}

export interface LatestVersion extends VersionContent {
  minor: number;
}

export type VersionDecision =
  | { kind: "create_line"; minor: number }
  | { kind: "add_minor"; minor: number }
  | { kind: "unchanged"; minor: number };

/** Two asset maps are equal when they name the same paths with the same contents. */
export function sameAssets(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] === a[k]);
}

/**
 * Decides what a deploy does to an algorithm line (name + major).
 * No line → create it at the version's own minor; else a new minor (latest + 1) when the module or
 * the assets differ from the latest minor; else nothing (metadata is refreshed by the caller).
 */
export function decideVersion(latest: LatestVersion | undefined, incoming: VersionContent, versionMinor: number): VersionDecision {
  if (latest === undefined) return { kind: "create_line", minor: versionMinor };
  if (latest.module_id !== incoming.module_id || !sameAssets(latest.assets, incoming.assets))
    return { kind: "add_minor", minor: latest.minor + 1 };
  return { kind: "unchanged", minor: latest.minor };
}
