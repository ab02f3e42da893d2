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

const PROXY_PEER = /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|::ffff:127\.|fc|fd)/;

/**
 * The client's address. X-Forwarded-For is believed only when the peer is a proxy
 * on a loopback or private address (nginx, an ingress), and then only its last hop,
 * the one that proxy added; a client cannot spoof its way past rate limits.
 */
export function clientAddress(request: IncomingMessage): string {
  return resolveClientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for']);
}

export function resolveClientAddress(peer: string | undefined, forwarded: string | string[] | undefined): string {
  const address = peer ?? 'unknown';
  if (!forwarded || !PROXY_PEER.test(address)) return address;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return hops.at(-1) ?? address;
}
