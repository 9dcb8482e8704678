// Entry point of the `compox` binary.
import { processIO, runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2), processIO());
