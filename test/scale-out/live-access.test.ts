import { Redis as IORedis } from 'ioredis';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { call, guest, inviteToken, joinRoom, roomWithOwner } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { startRedisServer } from '../helpers/redis-server.ts';
import { openProvider, putRecord, recordIds, syncedProvider, type TestProvider } from '../helpers/provider.ts';

// API.md: access changes reach live connections on every instance within 2 s.
const LIVE = { timeout: 2_000, interval: 20 };

/** Close reasons and `authenticationFailed` reasons a provider heard, in order. */
function watch(opened: TestProvider): { closes: string[] } {
  const closes: string[] = [];
  opened.provider.on('close', ({ event }: { event: { reason: string } }) => closes.push(event.reason));
  return { closes };
}

describe('live access on two instances behind Redis', () => {
  it('a removed member is closed on the other instance; a member turned viewer becomes read-only and keeps receiving', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'private' });
    const editorInvite = await inviteToken(a!.url, room.id, owner.token, 'editor');
    const ann = await guest(a!.url, 'Ann');
    const bob = await guest(a!.url, 'Bob');
    const annAccess = await joinRoom(a!.url, room.id, ann.token, { invite: editorInvite });
    const bobAccess = await joinRoom(a!.url, room.id, bob.token, { invite: editorInvite });

    const ownerOnA = await syncedProvider(a!.wsUrl, room.id, owner.token);
    const annOnB = await syncedProvider(b!.wsUrl, room.id, annAccess.token);
    const bobOnB = await syncedProvider(b!.wsUrl, room.id, bobAccess.token);
    const annEvents = watch(annOnB);
    const bobEvents = watch(bobOnB);
    putRecord(bobOnB.doc, room.id, 'shape:bob-editor', {});
    await vi.waitFor(() => expect(recordIds(ownerOnA.doc, room.id)).toContain('shape:bob-editor'));

    // Ann removed (REST on instance A, her socket on instance B).
    expect((await call(a!.url, 'DELETE', `/api/rooms/${room.id}/members/${ann.user.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(() => expect(annEvents.closes).toContain('permission-denied'), LIVE);
    expect(annOnB.failures).toContain('permission-denied');
    // Her old token opens nothing any more.
    const annAgain = openProvider(b!.wsUrl, room.id, annAccess.token);
    await vi.waitFor(() => expect(annAgain.failures).toEqual(['permission-denied']), { timeout: 10_000 });

    // Bob turned viewer: read-only at once, no reconnect, and he keeps receiving.
    const patched = await call(a!.url, 'PATCH', `/api/rooms/${room.id}/members/${bob.user.id}`, {
      token: owner.token,
      body: { role: 'viewer' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ user: { id: bob.user.id, name: 'Bob' }, role: 'viewer' });
    await vi.waitFor(
      () =>
        expect(
          b!.hocuspocus.documents
            .get(room.id)!
            .getConnections()
            .every((c) => c.readOnly),
        ).toBe(true),
      LIVE,
    );
    await vi.waitFor(() => expect(bobOnB.provider.authorizedScope).toBe('readonly'), LIVE);
    putRecord(bobOnB.doc, room.id, 'shape:bob-viewer', {});
    // A later owner change reaches Bob after his refused update was answered.
    putRecord(ownerOnA.doc, room.id, 'shape:owner-after', {});
    await vi.waitFor(() => expect(recordIds(bobOnB.doc, room.id)).toContain('shape:owner-after'));
    expect(bobEvents.closes).toEqual([]);
    expect(recordIds(b!.hocuspocus.documents.get(room.id)!, room.id)).toEqual(['shape:bob-editor', 'shape:owner-after']);
    expect(recordIds(ownerOnA.doc, room.id)).toEqual(['shape:bob-editor', 'shape:owner-after']);

    // The members list shows what the owner did.
    const members = await call(b!.url, 'GET', `/api/rooms/${room.id}/members`, { token: owner.token });
    expect(members.body).toEqual([{ user: { id: bob.user.id, name: 'Bob' }, role: 'viewer', joinedAt: expect.any(String) }]);
  }, 120_000);

  it('a password change closes who joined with the old one, not invited members; old tokens are refused', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'private', password: 'old secret' });
    const viewerInvite = await inviteToken(a!.url, room.id, owner.token, 'viewer');
    const pam = await guest(a!.url, 'Pam');
    const ivy = await guest(a!.url, 'Ivy');
    const pamAccess = await joinRoom(a!.url, room.id, pam.token, { password: 'old secret' });
    const ivyAccess = await joinRoom(a!.url, room.id, ivy.token, { invite: viewerInvite });
    const pamOnB = await syncedProvider(b!.wsUrl, room.id, pamAccess.token);
    const ivyOnB = await syncedProvider(b!.wsUrl, room.id, ivyAccess.token);
    const ownerOnA = await syncedProvider(a!.wsUrl, room.id, owner.token);
    const pamEvents = watch(pamOnB);
    const ivyEvents = watch(ivyOnB);

    const changed = await call(a!.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { password: 'new secret' } });
    expect(changed.status).toBe(200);
    await vi.waitFor(() => expect(pamEvents.closes).toEqual(['permission-denied']), LIVE);
    // Ivy stays and keeps receiving.
    putRecord(ownerOnA.doc, room.id, 'shape:after-change', {});
    await vi.waitFor(() => expect(recordIds(ivyOnB.doc, room.id)).toEqual(['shape:after-change']), { timeout: 10_000 });
    expect(ivyEvents.closes).toEqual([]);

    // Tokens issued before the change are refused (a new epoch), even Ivy's; /join gives her a fresh one.
    const pamAgain = openProvider(b!.wsUrl, room.id, pamAccess.token);
    const ivyOld = openProvider(a!.wsUrl, room.id, ivyAccess.token);
    await vi.waitFor(
      () => {
        expect(pamAgain.failures).toEqual(['permission-denied']);
        expect(ivyOld.failures).toEqual(['permission-denied']);
      },
      { timeout: 10_000 },
    );
    expect((await call(a!.url, 'POST', `/api/rooms/${room.id}/join`, { token: pam.token, body: {} })).body.error.code).toBe(
      'password-required',
    );
    const ivyFresh = await joinRoom(b!.url, room.id, ivy.token);
    expect(ivyFresh.role).toBe('viewer');
    await syncedProvider(b!.wsUrl, room.id, ivyFresh.token);
  }, 120_000);

  it('going private closes visitors of the open room; deleting closes everyone with room-not-found', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'public' });
    const editorInvite = await inviteToken(a!.url, room.id, owner.token, 'editor');
    const visitor = await guest(a!.url, 'Vis');
    const visitorJoined = await guest(a!.url, 'Vij');
    const invited = await guest(a!.url, 'Inv');
    const invitedAccess = await joinRoom(a!.url, room.id, invited.token, { invite: editorInvite });
    const visitorJoinedAccess = await joinRoom(a!.url, room.id, visitorJoined.token);
    const visitorOnB = await syncedProvider(b!.wsUrl, room.id, visitor.token);
    const visitorJoinedOnB = await syncedProvider(b!.wsUrl, room.id, visitorJoinedAccess.token);
    const invitedOnB = await syncedProvider(b!.wsUrl, room.id, invitedAccess.token);
    const ownerOnB = await syncedProvider(b!.wsUrl, room.id, owner.token);
    const events = [visitorOnB, visitorJoinedOnB, invitedOnB, ownerOnB].map(watch);

    expect((await call(a!.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { visibility: 'private' } })).status).toBe(
      200,
    );
    await vi.waitFor(() => {
      expect(events[0]!.closes).toEqual(['permission-denied']);
      expect(events[1]!.closes).toEqual(['permission-denied']);
    }, LIVE);
    expect(events[2]!.closes).toEqual([]);
    expect(events[3]!.closes).toEqual([]);
    // The visit lapsed: no membership left behind.
    const members = await call(a!.url, 'GET', `/api/rooms/${room.id}/members`, { token: owner.token });
    expect(members.body.map((m: { user: { id: string } }) => m.user.id)).toEqual([invited.user.id]);

    expect((await call(a!.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(() => {
      expect(events[2]!.closes).toEqual(['room-not-found']);
      expect(events[3]!.closes).toEqual(['room-not-found']);
    }, LIVE);
  }, 120_000);

  it('access changes reach the other instance again once Redis is back', { timeout: 60_000 }, async () => {
    const redis = await startRedisServer();
    const {
      servers: [a, b],
      prefix,
    } = await startCluster(2, { redisUrl: redis.url });
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'private' });
    const ann = await guest(a!.url, 'Ann');
    const annAccess = await joinRoom(a!.url, room.id, ann.token, { invite: await inviteToken(a!.url, room.id, owner.token, 'editor') });

    // The subscriptions must be made again after the outage (and twice, to go through a second ready).
    for (let outage = 0; outage < 2; outage++) {
      await redis.stop();
      await vi.waitFor(async () => expect((await call(b!.url, 'GET', '/readyz')).status).toBe(503), { timeout: 10_000, interval: 100 });
      await redis.start();
      await vi.waitFor(
        async () => {
          for (const server of [a!, b!]) expect((await call(server.url, 'GET', '/readyz')).status).toBe(200);
        },
        { timeout: 15_000, interval: 100 },
      );
    }
    const annOnB = await syncedProvider(b!.wsUrl, room.id, annAccess.token);
    const annEvents = watch(annOnB);
    // Delivery is at most once: wait until the other instance listens again before changing.
    const observer = new IORedis(redis.url);
    onTestFinished(() => observer.disconnect());
    const listeners = async () => ((await observer.call('PUBSUB', 'NUMSUB', `${prefix}:access-changes`)) as [string, number])[1];
    await vi.waitFor(async () => expect(await listeners()).toBe(2), { timeout: 10_000 });
    expect((await call(a!.url, 'DELETE', `/api/rooms/${room.id}/members/${ann.user.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(() => expect(annEvents.closes).toContain('permission-denied'), LIVE);
    await redis.stop();
  });
});
