// The thread that reads planes (plane-reader.ts): h5wasm is synchronous, and a large plane's
// hyperslabs and block means take long enough to stall every other request on the event loop.
import { parentPort } from "node:worker_threads";
import { CompoxError } from "../../contract/errors.js";
import { readHdf5Plane } from "./hdf5.js";
import type { PlaneRequest, PlaneReply } from "./plane-reader.js";

parentPort?.on("message", (req: PlaneRequest) => {
  readHdf5Plane(req.file, req.key, req.index, req.opts).then(
    (plane) => parentPort?.postMessage({ id: req.id, plane } satisfies PlaneReply, [plane.data.buffer as ArrayBuffer]),
    (err: unknown) => {
      const error = err instanceof CompoxError ? { code: err.code, message: err.message, details: err.details } : { message: (err as Error).message ?? String(err) };
      parentPort?.postMessage({ id: req.id, error } satisfies PlaneReply);
    },
  );
});
