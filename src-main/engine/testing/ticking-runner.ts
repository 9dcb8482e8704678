// Test support: runners of visible work. One logs "tick <ms>" every 50 ms for `ms` milliseconds (a job that is
// visibly alive: each line is a record write, and the log shows how far it got).
export const TICKING_RUNNER = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference(_d, args) {
    for (let t = 0; t < Number(args.ms); t += 50) { this.logMessage("tick " + t); await new Promise((r) => setTimeout(r, 50)); }
    return [];
  }
}`;

/** A Runner that counts its executions per session (logging "count <n>" once per run: a job run
 * twice would say so twice), then reports progress for `ms` milliseconds, stopping when asked. */
export const COUNTING_RUNNER = `import { BaseRunner } from "compox";
export class Runner extends BaseRunner {
  async inference(_data, args) {
    const n = Number((await this.loadItemFromSession("n")) ?? 0) + 1;
    await this.saveItemToSession(n, "n");
    this.logMessage("count " + n);
    const ms = Number(args.ms ?? 50);
    for (let t = 0; t < ms; t += 25) {
      this.checkStop();
      this.setProgress(Math.min(0.99, t / ms));
      await new Promise((r) => setTimeout(r, 25));
    }
    return [];
  }
}`;
