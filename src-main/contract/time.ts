// Compox's time format: `YYYY-MM-DD HH:MM:SS.ffffff` in local time.

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Formats a Date the way Compox records times (microseconds are the milliseconds padded). */
export function formatCompoxTime(d: Date): string {
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}000`
  );
}

/** Parses a Compox time string back to a Date (local time). */
export function parseCompoxTime(s: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})$/.exec(s);
  if (!m) return new Date(NaN);
  const [, y, mo, d, h, mi, se, us] = m.map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, se!, Math.floor(us! / 1000));
}
