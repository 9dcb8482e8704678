// The object store on S3-compatible storage (AWS, MinIO, Ceph): multipart uploads (lib-storage),
// streamed downloads, path-style addressing and checksums only when required, which stores other
// than AWS need. Credentials and region come from the standard AWS_* variables (or the SDK's other
// sources). The SDK is loaded on first use: the desktop never pays for it.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import type { Readable } from "node:stream";
import type * as S3 from "@aws-sdk/client-s3";
import type * as Storage from "@aws-sdk/lib-storage";
import { CompoxError } from "../../contract/errors.js";
import { lazyRequire } from "../lazy-require.js";
import type { StorageTarget } from "../config/cluster-config.js";
import { writeFileAtomically, type ObjectStore } from "./object-store.js";

const s3 = lazyRequire<typeof S3>("@aws-sdk/client-s3");
const storage = lazyRequire<typeof Storage>("@aws-sdk/lib-storage");

/** Parts of a multipart upload: big enough for few requests, small enough to retry cheaply. */
const PART_BYTES = 16 * 2 ** 20;

const isMissing = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
};

/** A failure that says the store is down or unreachable (not a refusal such as AccessDenied). */
const isOutage = (err: unknown) => {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
};

export class S3ObjectStore implements ObjectStore {
  readonly description: string;
  private readonly client: S3.S3Client;

  constructor(private readonly target: StorageTarget) {
    // The locked SDK supports Node 20 (Electron's); its warning is about releases after it.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    this.description = `s3://${target.bucket}/${target.prefix}${target.endpoint ? ` at ${target.endpoint}` : ""}`;
    this.client = new (s3().S3Client)({
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
      ...(target.endpoint ? { endpoint: target.endpoint, forcePathStyle: true } : {}),
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }

  /** `work` with an outage turned into a 503 naming the store (retryable: it may be back soon). */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if ((err as Error).name === "AbortError" || !isOutage(err)) throw err;
      const e = err as Error & { code?: string };
      throw new CompoxError("service_unavailable", `the shared storage ${this.description} does not answer (${e.code ?? e.name}: ${e.message}); try again once it is back (\`compox doctor\` checks it)`, { service: "storage" });
    }
  }

  private where(key: string) {
    return { Bucket: this.target.bucket, Key: this.target.prefix + key };
  }

  async putFile(key: string, file: string, signal?: AbortSignal): Promise<void> {
    const upload = new (storage().Upload)({ client: this.client, params: { ...this.where(key), Body: fs.createReadStream(file) }, partSize: PART_BYTES, queueSize: 4 });
    const abort = () => void upload.abort();
    signal?.addEventListener("abort", abort, { once: true });
    try {
      await this.guarded(() => upload.done());
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  async getFile(key: string, file: string, signal?: AbortSignal): Promise<boolean> {
    const body = await this.stream(key, signal);
    if (!body) return false;
    await writeFileAtomically(body, file, signal);
    return true;
  }

  async stream(key: string, signal?: AbortSignal): Promise<Readable | undefined> {
    try {
      const res = await this.guarded(() => this.client.send(new (s3().GetObjectCommand)(this.where(key)), { abortSignal: signal }));
      return res.Body as Readable;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      await this.guarded(() => this.client.send(new (s3().HeadObjectCommand)(this.where(key))));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.guarded(() => this.client.send(new (s3().DeleteObjectCommand)(this.where(key))));
  }

  async check(): Promise<void> {
    const key = `.compox-check-${randomUUID()}`;
    try {
      await this.client.send(new (s3().PutObjectCommand)({ ...this.where(key), Body: "ok" }));
      await this.delete(key);
    } catch (err) {
      const e = err as Error & { name?: string };
      throw new Error(`cannot write to ${this.description}: ${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message}; check storage_url, COMPOX_S3_ENDPOINT and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY`, { cause: err });
    }
  }

  close(): void {
    this.client.destroy();
  }
}
