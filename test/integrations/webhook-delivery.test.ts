import { describe, expect, it, vi } from 'vitest';
import { postWebhook } from '../../src/webhooks/post.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { createTestStorage } from '../helpers/db.ts';
import { startTestServer, TEST_SECRET } from '../helpers/server.ts';
import { signatureIsValid, startReceiver } from '../helpers/webhook-receiver.ts';

const FAST = { WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_POLL_MS: '50', WEBHOOK_TIMEOUT_MS: '1000' };

async function subscribe(baseUrl: string, token: string, roomId: string, url: string) {
  const answer = await call(baseUrl, 'POST', `/api/rooms/${roomId}/webhooks`, { token, body: { url, events: ['member.joined'] } });
  expect(answer.status).toBe(201);
  return answer.body as { id: string; secret: string };
}

describe('webhook delivery', () => {
  it('an event queued while the receiver was down is delivered by the next server after a restart', { timeout: 90_000 }, async () => {
    const storage = await createTestStorage('postgres');
    try {
      // A port with nobody listening: take one, then free it.
      const placeholder = await startReceiver();
      const port = placeholder.port;
      const url = placeholder.url;
      await placeholder.close();

      const first = await startTestServer({ storage, env: FAST });
      const { owner, room } = await roomWithOwner(first.url, { visibility: 'public' });
      const webhook = await subscribe(first.url, owner.token, room.id, url);
      await call(first.url, 'POST', `/api/rooms/${room.id}/join`, { token: (await guest(first.url)).token, body: {} });
      const deliveries = `/api/rooms/${room.id}/webhooks/${webhook.id}/deliveries`;
      await vi.waitFor(
        async () => {
          const [delivery] = (await call(first.url, 'GET', deliveries, { token: owner.token })).body;
          expect(delivery).toMatchObject({ status: 'pending', lastStatusCode: null });
          expect(delivery.attempts).toBeGreaterThanOrEqual(1);
        },
        { timeout: 10_000, interval: 100 },
      );
      const [pending] = (await call(first.url, 'GET', deliveries, { token: owner.token })).body;
      await first.close();

      const receiver = await startReceiver(() => 200, port);
      const second = await startTestServer({ storage, env: FAST });
      try {
        await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 20_000 });
        expect(receiver.received[0]!.id).toBe(pending.id);
        expect(signatureIsValid(webhook.secret, receiver.received[0]!)).toBe(true);
      } finally {
        await second.close();
      }
    } finally {
      await storage.drop();
    }
  });

  it('two instances deliver each event once', { timeout: 90_000 }, async () => {
    const receiver = await startReceiver();
    const {
      servers: [a, b],
    } = await startCluster(2, { env: FAST });
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'public' });
    const webhook = await subscribe(a!.url, owner.token, room.id, receiver.url);
    const joins = 20;
    for (let i = 0; i < joins; i++) {
      const server = i % 2 === 0 ? a! : b!;
      expect(
        (await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: (await guest(server.url)).token, body: {} })).status,
      ).toBe(200);
    }
    await vi.waitFor(
      async () => {
        const list = (await call(a!.url, 'GET', `/api/rooms/${room.id}/webhooks/${webhook.id}/deliveries`, { token: owner.token })).body;
        expect(list).toHaveLength(joins);
        expect(list.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(receiver.received).toHaveLength(joins);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(joins);
  });

  it('production refuses private, loopback and link-local URLs, also when they are already stored', { timeout: 90_000 }, async () => {
    const receiver = await startReceiver();
    const storage = await createTestStorage('postgres');
    try {
      // Stored while private addresses were allowed (development)...
      const dev = await startTestServer({ storage, env: FAST });
      const { owner, room } = await roomWithOwner(dev.url, { visibility: 'public' });
      const webhook = await subscribe(dev.url, owner.token, room.id, receiver.url);
      await dev.close();

      const production = await startTestServer({ storage, env: { ...FAST, NODE_ENV: 'production', JWT_SECRET: TEST_SECRET } });
      try {
        for (const url of [
          receiver.url,
          'http://localhost:9/hook',
          'http://10.1.2.3/hook',
          'http://192.168.0.10/hook',
          'http://169.254.169.254/latest/meta-data',
          'http://[::1]:9/hook',
          'http://[::ffff:127.0.0.1]/hook',
          'ftp://example.com/hook',
          'file:///etc/passwd',
        ]) {
          const answer = await call(production.url, 'POST', `/api/rooms/${room.id}/webhooks`, {
            token: owner.token,
            body: { url, events: ['member.joined'] },
          });
          expect(answer.status, url).toBe(400);
          expect(answer.body.error.code, url).toBe('invalid-webhook-url');
        }
        // ...is refused at delivery time: the receiver never sees it.
        await call(production.url, 'POST', `/api/rooms/${room.id}/join`, { token: (await guest(production.url)).token, body: {} });
        await vi.waitFor(
          async () => {
            const [delivery] = (
              await call(production.url, 'GET', `/api/rooms/${room.id}/webhooks/${webhook.id}/deliveries`, { token: owner.token })
            ).body;
            expect(delivery.attempts).toBeGreaterThanOrEqual(2);
            expect(delivery.status).toBe('pending');
          },
          { timeout: 10_000, interval: 100 },
        );
        expect(receiver.received).toHaveLength(0);
      } finally {
        await production.close();
      }
    } finally {
      await storage.drop();
    }
  });

  it('redirects are not followed, and private addresses are refused at connect time', async () => {
    const target = await startReceiver();
    const { createServer } = await import('node:http');
    const redirector = createServer((_request, response) => response.writeHead(307, { location: target.url }).end());
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    const address = redirector.address() as { port: number };
    try {
      const options = { headers: {}, body: '{}', timeoutMs: 2_000 };
      expect(await postWebhook(`http://127.0.0.1:${address.port}/`, { ...options, blockPrivate: false })).toEqual({ statusCode: 307 });
      expect(target.received).toHaveLength(0);
      const refused = await postWebhook(target.url.replace('127.0.0.1', 'localhost'), { ...options, blockPrivate: true });
      expect(refused.statusCode).toBeUndefined();
      expect(refused.error).toMatch(/private/);
      expect(target.received).toHaveLength(0);
    } finally {
      redirector.closeAllConnections();
      await new Promise<void>((resolve) => redirector.close(() => resolve()));
    }
  });
});
