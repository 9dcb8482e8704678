// Test support for the S3 object store: s3rver (from npm, a test peer only: no MinIO binary can be
// had here) on a free loopback port, with one bucket, its data in a temp folder.
import { createRequire } from "node:module";
import type { StorageTarget } from "../config/cluster-config.js";
import { tempDir } from "./temp-algorithm.js";

interface S3rver {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** s3rver's own credentials: it checks signatures made with them. */
export const S3RVER_ENV = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_REGION: "us-east-1" };

export interface TestS3 {
  target: StorageTarget;
  endpoint: string;
  /** Stops the server (an outage); its objects stay for `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the objects it had. */
  start(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts s3rver with bucket `bucket`; sets the AWS_* variables it needs in this process. */
export async function startS3(bucket = "compox-test"): Promise<TestS3> {
  Object.assign(process.env, S3RVER_ENV);
  const dir = tempDir("compox-s3-");
  const S3rverClass = createRequire(import.meta.url)("s3rver") as new (o: object) => S3rver;
  const open = (port: number) => new S3rverClass({ address: "127.0.0.1", port, silent: true, directory: dir.path, configureBuckets: [{ name: bucket }] });
  let server: S3rver | undefined = open(0);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    target: { bucket, prefix: "cluster/", endpoint },
    endpoint,
    async stop() {
      await server?.close();
      server = undefined;
    },
    async start() {
      server = open(port);
      await server.run();
    },
    async [Symbol.asyncDispose]() {
      await server?.close();
      dir[Symbol.dispose]();
    },
  };
}
