// The renderer's one way to the engine: the typed HTTP client of src-main/contract, on the origin
// that served this page (the Electron window and a browser alike).
import { CompoxClient } from "../src-main/contract/client.js";

export const api = new CompoxClient(location.origin);

/** Parses Compox's "YYYY-MM-DD HH:MM:SS.ffffff" local times. */
export { parseCompoxTime } from "../src-main/contract/time.js";
