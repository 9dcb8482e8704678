// What the window keeps in this browser's local storage (the work in progress, class names): JSON
// under a key. Storage that is full, disabled or holds something unreadable makes the window
// forget, never fail.

/** The value kept under `key`, or undefined when there is none (or it cannot be read). */
export function readStored<T>(key: string): T | undefined {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? "null") as T | null) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `value` under `key` (as far as the storage allows). */
export function writeStored(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled: the value holds until the window closes.
  }
}
