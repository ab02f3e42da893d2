import http from 'node:http';
import https from 'node:https';
import { checkWebhookUrl, publicOnlyLookup } from './address-guard.ts';

export interface PostResult {
  /** The HTTP status, when an answer came. */
  statusCode?: number;
  /** Why there was no 2xx answer (network error, timeout, refused address, redirect). */
  error?: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  blockPrivate: boolean;
}

/**
 * One delivery attempt: POSTs the body and resolves with the status or the reason it
 * failed; it never rejects. Redirects are not followed (a 3xx is a failed attempt),
 * so a receiver cannot bounce the request to an internal address; with
 * `blockPrivate` the address is checked before and again at connect time.
 * node:http rather than fetch: its `lookup` option is where that check belongs.
 */
export async function postWebhook(rawUrl: string, options: PostOptions): Promise<PostResult> {
  let url: URL;
  try {
    url = await checkWebhookUrl(rawUrl, options.blockPrivate);
  } catch (error) {
    return { error: (error as Error).message };
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Scrible-Webhooks/1', ...options.headers },
        ...(options.blockPrivate ? { lookup: publicOnlyLookup } : {}),
      },
      (response) => {
        // Drain the answer; only its status matters.
        response.resume();
        response.on('end', () => finish({ statusCode: response.statusCode }));
        response.on('error', (error) => finish({ statusCode: response.statusCode, error: error.message }));
      },
    );
    // One deadline for the whole attempt: connect, send, answer.
    const deadline = setTimeout(() => {
      request.destroy();
      finish({ error: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    request.on('error', (error) => finish({ error: error.message }));
    request.end(options.body);
  });
}
