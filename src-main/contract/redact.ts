// Secrets never leave in an answer: URLs shown to a client, printed by doctor or put in an error
// message keep their shape with the password and secret-looking query values masked.

const MASK = "***";
const SECRET_PARAM = /pass|secret|token|key|credential|signature|auth/i;

/** `url` with its password and secret query values masked; text that is not a URL as it is. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not parseable, yet it may still carry user:password@.
    return url.replace(/(\/\/[^/@:\s]*):[^@/\s]*@/, "$1:***@");
  }
  if (u.password) u.password = MASK;
  for (const [name] of u.searchParams) if (SECRET_PARAM.test(name)) u.searchParams.set(name, MASK);
  // URL re-encodes the mask; show it plainly.
  return u.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

/** Every URL inside `text` (an error message, a log line) redacted. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => redactUrl(m));
}
