/**
 * What every console response carries: a Content-Security-Policy that allows only the daemon's own scripts, styles,
 * images and connections (no inline script, no remote load, no framing), no MIME sniffing, no referrer.
 */
export const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; script-src 'self'; style-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
