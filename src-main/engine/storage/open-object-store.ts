// Chooses the shared object store of cluster mode from its storage target.
import type { StorageTarget } from "../config/cluster-config.js";
import { FileObjectStore } from "./file-object-store.js";
import type { ObjectStore } from "./object-store.js";
import { S3ObjectStore } from "./s3-object-store.js";

/** A shared folder for file:///…, else S3. */
export function openObjectStore(target: StorageTarget): ObjectStore {
  return target.folder ? new FileObjectStore(target.folder) : new S3ObjectStore(target);
}
