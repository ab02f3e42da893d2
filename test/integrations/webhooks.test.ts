import { describe, expect, it, vi } from 'vitest';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { useTestServer } from '../helpers/server.ts';
import { signatureIsValid, startReceiver } from '../helpers/webhook-receiver.ts';
import { note, page } from '../helpers/tldraw-records.ts';

const server = useTestServer({
  env: { WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_POLL_MS: '50', WEBHOOK_TIMEOUT_MS: '500', WEBHOOK_DEBOUNCE_MS: '1000' },
});

async function subscribe(token: string, roomId: string, url: string, events: string[]) {
  const answer = await call(server.url, 'POST', `/api/rooms/${roomId}/webhooks`, { token, body: { url, events } });
  expect(answer.status).toBe(201);
  return answer.body as { id: string; url: string; events: string[]; secret: string; createdAt: string };
}

describe('webhooks', () => {
  it('owner-only subscriptions; signed deliveries of member, export and deletion events', { timeout: 120_000 }, async () => {
    const receiver = await startReceiver();
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const stranger = await guest(server.url, 'Stranger');
    const events = ['member.joined', 'member.left', 'export.completed', 'room.deleted'];
    expect(
      (await call(server.url, 'POST', `/api/rooms/${room.id}/webhooks`, { token: stranger.token, body: { url: receiver.url, events } }))
        .status,
    ).toBe(403);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/webhooks`, { body: { url: receiver.url, events } })).status).toBe(401);
    expect(
      (
        await call(server.url, 'POST', `/api/rooms/${room.id}/webhooks`, {
          token: owner.token,
          body: { url: receiver.url, events: ['nope'] },
        })
      ).status,
    ).toBe(400);

    const webhook = await subscribe(owner.token, room.id, receiver.url, events);
    expect(webhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await call(server.url, 'GET', `/api/rooms/${room.id}/webhooks`, { token: owner.token });
    expect(listed.body).toEqual([{ id: webhook.id, url: receiver.url, events, createdAt: webhook.createdAt }]);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/webhooks`, { token: stranger.token })).status).toBe(403);

    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: stranger.token, body: {} })).status).toBe(200);
    await vi.waitFor(() => expect(receiver.received.map((r) => r.json.type)).toContain('member.joined'), { timeout: 10_000 });
    const joined = receiver.received.find((r) => r.json.type === 'member.joined')!;
    expect(signatureIsValid(webhook.secret, joined)).toBe(true);
    expect(signatureIsValid(`whsec_${Buffer.from('another key').toString('base64')}`, joined)).toBe(false);
    expect(joined.json).toMatchObject({
      type: 'member.joined',
      roomId: room.id,
      data: { user: { id: stranger.user.id, name: 'Stranger' }, role: 'editor' },
    });
    expect(Math.abs(Number(joined.timestamp) - Date.now() / 1000)).toBeLessThan(300);

    // The owner removes the member: member.left, signed the same way.
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}/members/${stranger.user.id}`, { token: owner.token })).status).toBe(
      204,
    );
    await vi.waitFor(() => expect(receiver.received.map((r) => r.json.type)).toContain('member.left'), { timeout: 10_000 });
    const left = receiver.received.find((r) => r.json.type === 'member.left')!;
    expect(signatureIsValid(webhook.secret, left)).toBe(true);
    expect(left.json).toMatchObject({ type: 'member.left', roomId: room.id, data: { user: { id: stranger.user.id }, role: 'editor' } });

    const exported = await call(server.url, 'POST', `/api/exports/${room.id}`, { token: owner.token, body: { format: 'json' } });
    expect(exported.status).toBe(202);
    await vi.waitFor(
      async () =>
        expect((await call(server.url, 'GET', `/api/exports/${exported.body.id}`, { token: owner.token })).body.status).toBe('completed'),
      { timeout: 60_000, interval: 200 },
    );
    await vi.waitFor(() => expect(receiver.received.map((r) => r.json.type)).toContain('export.completed'), { timeout: 10_000 });
    expect(receiver.received.find((r) => r.json.type === 'export.completed')!.json.data).toMatchObject({
      id: exported.body.id,
      status: 'completed',
    });

    const deliveries = await call(server.url, 'GET', `/api/rooms/${room.id}/webhooks/${webhook.id}/deliveries`, { token: owner.token });
    expect(deliveries.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: joined.id, event: 'member.joined', status: 'delivered', attempts: 1, lastStatusCode: 200 }),
      ]),
    );

    // The room's webhooks go with it, yet its deletion is still announced.
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(() => expect(receiver.received.map((r) => r.json.type)).toContain('room.deleted'), { timeout: 10_000 });
    const deleted = receiver.received.find((r) => r.json.type === 'room.deleted')!;
    expect(signatureIsValid(webhook.secret, deleted)).toBe(true);
    expect(deleted.json.data).toMatchObject({ id: room.id });
  });

  it('retries after a 5xx and after a timeout with the same webhook-id; manual retry sends it again', async () => {
    const receiver = await startReceiver((index) => (index === 0 ? 503 : index === 1 ? 'hang' : 200));
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const webhook = await subscribe(owner.token, room.id, receiver.url, ['member.joined']);
    await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: (await guest(server.url)).token, body: {} });

    await vi.waitFor(() => expect(receiver.received).toHaveLength(3), { timeout: 15_000 });
    const ids = new Set(receiver.received.map((r) => r.id));
    expect(ids.size).toBe(1);
    for (const delivery of receiver.received) expect(signatureIsValid(webhook.secret, delivery)).toBe(true);
    const url = `/api/rooms/${room.id}/webhooks/${webhook.id}/deliveries`;
    await vi.waitFor(async () => {
      const list = await call(server.url, 'GET', url, { token: owner.token });
      expect(list.body).toEqual([expect.objectContaining({ id: [...ids][0], status: 'delivered', attempts: 3, lastStatusCode: 200 })]);
    });

    const retry = await call(server.url, 'POST', `${url}/${[...ids][0]}/retry`, { token: owner.token });
    expect(retry.status).toBe(202);
    await vi.waitFor(() => expect(receiver.received).toHaveLength(4), { timeout: 10_000 });
    expect(receiver.received[3]!.id).toBe([...ids][0]);
    expect((await call(server.url, 'POST', `${url}/00000000-0000-0000-0000-000000000000/retry`, { token: owner.token })).status).toBe(404);

    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}/webhooks/${webhook.id}`, { token: owner.token })).status).toBe(204);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/webhooks`, { token: owner.token })).body).toEqual([]);
  });

  it('debounces room.updated: many changes, few events, at least WEBHOOK_DEBOUNCE_MS apart', { timeout: 60_000 }, async () => {
    const receiver = await startReceiver();
    const { owner, room } = await roomWithOwner(server.url);
    const webhook = await subscribe(owner.token, room.id, receiver.url, ['room.updated']);
    const changes = 30;
    for (let i = 0; i < changes; i++) {
      const answer = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
        token: owner.token,
        body: { put: i === 0 ? [page, note(`shape:n${i}`, `${i}`)] : [note(`shape:n${i}`, `${i}`)] },
      });
      expect(answer.status).toBe(200);
    }
    await vi.waitFor(
      async () => {
        expect(server.webhooks.roomUpdated.busy).toBe(false);
        const list = await call(server.url, 'GET', `/api/rooms/${room.id}/webhooks/${webhook.id}/deliveries`, { token: owner.token });
        expect(list.body.length).toBeGreaterThanOrEqual(1);
        expect(list.body.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
      },
      { timeout: 15_000, interval: 100 },
    );
    const events = receiver.received.filter((r) => r.json.type === 'room.updated');
    expect(events.length).toBeLessThan(changes / 3);
    const times = events.map((r) => Date.parse(r.json.timestamp));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(990);
    expect(events.at(-1)!.json.data).toHaveProperty('version');
  });
});
