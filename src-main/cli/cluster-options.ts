// The flags of cluster mode's service URLs, shared by `serve`, `worker` and `doctor` (each may also
// come from COMPOX_* variables or settings.toml: docs/cluster.md).
import type { Command } from "commander";

export interface ClusterFlags {
  queueUrl?: string;
  databaseUrl?: string;
  storageUrl?: string;
  s3Endpoint?: string;
}

/** Adds --queue-url, --database-url, --storage-url and --s3-endpoint to `cmd`. */
export function withClusterOptions(cmd: Command): Command {
  return cmd
    .option("--queue-url <url>", "cluster mode: Redis for jobs and events (redis://host:6379)")
    .option("--database-url <url>", "cluster mode: PostgreSQL for records (postgres://user:password@host/db)")
    .option("--storage-url <url>", "cluster mode: shared storage (s3://bucket[/prefix] or file:///shared/folder)")
    .option("--s3-endpoint <url>", "the S3 API's address for stores other than AWS (MinIO: http://host:9000)");
}

/** The flags as settings keys, for loadSettings. */
export function clusterSettingsOf(opts: ClusterFlags): Record<string, string | undefined> {
  return { queue_url: opts.queueUrl, database_url: opts.databaseUrl, storage_url: opts.storageUrl, s3_endpoint: opts.s3Endpoint };
}
