import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Ranges a webhook may not reach in production: private, loopback, link-local,
 * unspecified, carrier-grade NAT and their IPv6 counterparts (IPv4-mapped included).
 * `node:net`'s BlockList does the matching, so no address parsing is hand-written.
 */
const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

/** True for an address a production server must not send webhooks to. */
export function isForbiddenAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return FORBIDDEN.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return FORBIDDEN.check(mapped[1]!, 'ipv4');
  return FORBIDDEN.check(address, 'ipv6');
}

/** Why a webhook URL is refused. */
export class ForbiddenUrlError extends Error {
  override name = 'ForbiddenUrlError';
}

/**
 * Checks a webhook URL: `http(s)` only, and with `blockPrivate` every address its
 * host resolves to must be public.
 * @throws ForbiddenUrlError naming the reason.
 */
export async function checkWebhookUrl(raw: string, blockPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ForbiddenUrlError('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ForbiddenUrlError('url must start with http:// or https://');
  if (url.username || url.password) throw new ForbiddenUrlError('url must not carry credentials');
  if (!blockPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolveAll(host);
  const bad = addresses.find(isForbiddenAddress);
  if (bad !== undefined) throw new ForbiddenUrlError(`url resolves to ${bad}, a private, loopback or link-local address`);
  return url;
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses: LookupAddress[]) => {
      if (error) reject(new ForbiddenUrlError(`url host ${host} does not resolve`));
      else resolve(addresses.map((entry) => entry.address));
    });
  });
}

/**
 * A `lookup` for `http.request` that refuses forbidden addresses at connect time,
 * so a DNS answer that changed since the URL was checked (rebinding) is still caught.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const bad = addresses.find((entry) => isForbiddenAddress(entry.address));
    if (bad) return callback(new ForbiddenUrlError(`${hostname} resolves to ${bad.address}, a private address`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};
