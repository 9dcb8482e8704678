// Test support: a Runner that logs "tick <ms>" every 50 ms for `ms` milliseconds (a job that is
// visibly alive: each line is a record write, and the log shows how far it got).
export const TICKING_RUNNER = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference(_d, args) {
    for (let t = 0; t < Number(args.ms); t += 50) { this.logMessage("tick " + t); await new Promise((r) => setTimeout(r, 50)); }
    return [];
  }
}`;
