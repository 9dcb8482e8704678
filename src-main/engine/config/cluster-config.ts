// Desktop or cluster mode, from the settings: the three service URLs (queue, database, storage)
// all set → cluster mode; none → the desktop (SQLite + files, in-process queue); some → an error
// that names what is missing and how to set it.
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../contract/errors.js";
import type { Settings } from "../../contract/settings.js";

export interface StorageTarget {
  /** A folder every node mounts (file:///path), instead of a bucket. */
  folder?: string;
  bucket: string;
  /** Key prefix inside the bucket ("" or ending in "/"). */
  prefix: string;
  /** The S3 API's address (non-AWS stores); AWS's own when undefined. */
  endpoint?: string;
}

export type ClusterConfig = { mode: "desktop" } | { mode: "cluster"; queueUrl: string; databaseUrl: string; storage: StorageTarget };

const SERVICES = [
  ["queue_url", "COMPOX_QUEUE_URL", "redis://host:6379"],
  ["database_url", "COMPOX_DATABASE_URL", "postgres://user:password@host:5432/compox"],
  ["storage_url", "COMPOX_STORAGE_URL", "s3://bucket[/prefix] or file:///shared/folder"],
] as const;

/** Parses s3://bucket[/prefix] or file:///path. */
export function storageTargetOf(url: string, endpoint?: string): StorageTarget {
  if (url.startsWith("file://")) return { folder: fileURLToPath(url), bucket: "", prefix: "" };
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m) throw new ConfigError([{ file: "storage_url", path: "", message: `${url} is not s3://bucket[/prefix]` }]);
  const prefix = m[2]!.replace(/\/+$/, "");
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : "", ...(endpoint ? { endpoint } : {}) };
}

/** The mode the settings ask for; throws a ConfigError naming each missing URL when only some are set. */
export function clusterConfigOf(settings: Pick<Settings, "queue_url" | "database_url" | "storage_url" | "s3_endpoint">): ClusterConfig {
  const set = SERVICES.filter(([key]) => settings[key]);
  if (set.length === 0) return { mode: "desktop" };
  if (set.length < SERVICES.length) {
    const given = set.map(([key]) => key).join(", ");
    throw new ConfigError(
      SERVICES.filter(([key]) => !settings[key]).map(([key, env, example]) => ({
        file: "cluster mode",
        path: key,
        message: `is missing: ${given} ${set.length === 1 ? "is" : "are"} set, and cluster mode needs all three of queue_url, database_url and storage_url; set ${key} (--${key.replace(/_/g, "-")}, ${env}=${example}, or settings.toml), or unset the others for the desktop mode`,
      })),
    );
  }
  return { mode: "cluster", queueUrl: settings.queue_url!, databaseUrl: settings.database_url!, storage: storageTargetOf(settings.storage_url!, settings.s3_endpoint) };
}
