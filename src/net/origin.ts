import proxyaddr from 'proxy-addr';
import type { IncomingMessage } from 'node:http';

/**
 * Whether a browser origin may use the API or open a socket.
 * `allowed === undefined` means any origin (development default). Requests without
 * an Origin header (server-to-server, CLI, tests) are not browser cross-origin
 * requests and pass.
 */
export function isOriginAllowed(origin: string | undefined, allowed: string[] | undefined, host?: string): boolean {
  if (origin === undefined || allowed === undefined) return true;
  if (allowed.includes(origin) || allowed.includes('*')) return true;
  // The whiteboard we serve ourselves is same-origin and always allowed.
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Whether an address (at a hop counted from our socket) is a proxy we trust; proxy-addr's form. */
export type TrustProxy = (address: string, hop: number) => boolean;

const TRUST_NONE: TrustProxy = () => false;

/**
 * The TRUSTED_PROXIES list (CIDRs, single addresses, or proxy-addr's names
 * `loopback`, `linklocal`, `uniquelocal`) as a trust function.
 *
 * @throws TypeError naming an entry that is not an address or range.
 */
export function compileTrustedProxies(entries: readonly string[]): TrustProxy {
  return entries.length === 0 ? TRUST_NONE : proxyaddr.compile([...entries]);
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy;
 * then X-Forwarded-For is walked from the right past every trusted hop, and the
 * first untrusted one is the client. Nothing is trusted by default, so a client
 * cannot rotate the header past rate limits.
 */
export function clientAddress(request: IncomingMessage, trust: TrustProxy = TRUST_NONE): string {
  return resolveClientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], trust);
}

export function resolveClientAddress(
  peer: string | undefined,
  forwarded: string | string[] | undefined,
  trust: TrustProxy = TRUST_NONE,
): string {
  if (!peer) return 'unknown';
  const header = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  const request = { socket: { remoteAddress: peer }, headers: header ? { 'x-forwarded-for': header } : {} };
  return proxyaddr(request as unknown as IncomingMessage, trust) ?? peer;
}
