/**
 * Reads the `exp` claim of a JWT without verifying it. The client only uses it to decide
 * when to ask for a fresh token; the server remains the one that checks signatures.
 * @returns expiry in epoch milliseconds, or null when the token has no readable `exp`
 */
export function readJwtExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * True when the token expires within `marginMs` (default one minute), so callers refresh
 * before the server starts refusing it rather than after.
 */
export function isJwtExpiring(token: string, marginMs = 60_000, now = Date.now()): boolean {
  const expiry = readJwtExpiry(token);
  return expiry !== null && expiry - marginMs <= now;
}
