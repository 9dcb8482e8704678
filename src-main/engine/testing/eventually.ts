// Polling with a deadline, for tests that wait on something with no event to wait for (a
// background delete, a process's exit seen from outside): never a fixed sleep.
import { setTimeout as delay } from "node:timers/promises";

/** Resolves with `check()`'s first truthy result; rejects naming `what` once `timeoutMs` has passed. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await delay(10);
  }
}
