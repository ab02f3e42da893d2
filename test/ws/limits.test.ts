import { describe, expect, it, vi } from 'vitest';
import { MessageType } from '@hocuspocus/server';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import { roomWithOwner } from '../helpers/api.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({
  env: {
    WS_MAX_MESSAGE_BYTES: '65536',
    WS_MAX_MESSAGES_PER_SECOND: '50',
    WS_BURST_MESSAGES: '100',
    // The flood below comes before any authentication: let the rate limit, not the
    // pre-auth budget (test/ws/unauthenticated.test.ts), be what closes it.
    WS_PREAUTH_MAX_MESSAGES: '100000',
    WS_PREAUTH_MAX_BYTES: '10000000',
    MAX_DOCUMENT_BYTES: '200000',
    CORS_ORIGINS: 'https://app.example.com',
  },
});

/** A raw socket, for sending what no provider would. */
function rawSocket(headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(server.wsUrl, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

async function rejectedCount(reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`scrible_messages_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return match ? Number(match[1]) : 0;
}

describe('WebSocket limits', () => {
  it('closes a socket that sends an oversized frame with 4009, and the server goes on', async () => {
    const ws = await rawSocket();
    const done = closed(ws);
    ws.send(new Uint8Array(70_000));
    expect(await done).toEqual({ code: 4009, reason: 'message-too-large' });
    expect(await rejectedCount('message-too-large')).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('closes a flooding socket with 4429', async () => {
    const ws = await rawSocket();
    const done = closed(ws);
    const frame = encoding.encode((e) => {
      encoding.writeVarString(e, 'flood');
      encoding.writeVarUint(e, MessageType.QueryAwareness); // harmless, but counts
    });
    for (let i = 0; i < 300; i++) ws.send(frame);
    expect(await done).toEqual({ code: 4429, reason: 'rate-limited' });
    expect(await rejectedCount('rate-limited')).toBeGreaterThan(0);
  });

  it('closes a socket that sends text frames with 4400', async () => {
    const ws = await rawSocket();
    const done = closed(ws);
    ws.send('{"hello":"json"}');
    expect(await done).toEqual({ code: 4400, reason: 'bad-frame' });
    expect(await rejectedCount('bad-frame')).toBeGreaterThan(0);
  });

  it('refuses a foreign Origin before the upgrade', async () => {
    await expect(rawSocket({ origin: 'https://evil.example' })).rejects.toThrow(/403/);
    expect(await rejectedCount('origin-refused')).toBeGreaterThan(0);
    const ok = await rawSocket({ origin: 'https://app.example.com' });
    ok.close();
  });

  it('closes a connection whose updates would grow the document past MAX_DOCUMENT_BYTES, others carry on', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const big = await syncedProvider(server.wsUrl, room.id, owner.token);
    const calm = await syncedProvider(server.wsUrl, room.id, owner.token);
    let closeReason = '';
    big.provider.configuration.websocketProvider.on('close', ({ event }: { event: { code: number; reason: string } }) => {
      closeReason ||= `${event.code} ${event.reason}`;
    });
    // 4 × 60 kB stays under the 64 kB frame limit but passes 200 kB of document.
    for (let i = 0; i < 4; i++) putRecord(big.doc, room.id, `shape:big${i}`, { blob: 'x'.repeat(60_000) });
    await vi.waitFor(() => expect(closeReason).toBe('4413 document-too-large'));
    expect(await rejectedCount('document-too-large')).toBeGreaterThan(0);
    putRecord(calm.doc, room.id, 'shape:small', {});
    const check = await syncedProvider(server.wsUrl, room.id, owner.token);
    await vi.waitFor(() => expect(recordIds(check.doc, room.id)).toContain('shape:small'));
    expect(recordIds(check.doc, room.id).filter((id) => id.startsWith('shape:big')).length).toBeLessThan(4);
  });
});
