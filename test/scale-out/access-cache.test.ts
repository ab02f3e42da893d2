import { describe, expect, it, vi } from 'vitest';
import { call, guest, inviteToken, joinRoom, roomWithOwner } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { startRedisServer } from '../helpers/redis-server.ts';
import { acknowledged, openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';

// Sockets read a room's access from a per-room cache (src/rooms/access-cache.ts). These
// tests load that cache on instance B first (someone opens the room there), change the
// access through instance A, and check that B decides from the change, not the cache.

const refusal = async (opened: { failures: string[] }) =>
  vi.waitFor(() => expect(opened.failures).toEqual(['permission-denied']), { timeout: 10_000 });

describe('cached room access on two instances', () => {
  it('a member let in on one instance opens the private room at once on the other, with a room or a user token', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'private' });
    await syncedProvider(b!.wsUrl, room.id, owner.token);
    const cat = await guest(a!.url, 'Cat');
    // Not a member yet: refused on B (and that answer is not kept).
    await refusal(openProvider(b!.wsUrl, room.id, cat.token));

    const access = await joinRoom(a!.url, room.id, cat.token, { invite: await inviteToken(a!.url, room.id, owner.token, 'editor') });
    const withRoomToken = await syncedProvider(b!.wsUrl, room.id, access.token);
    const withUserToken = await syncedProvider(b!.wsUrl, room.id, cat.token);
    expect(withRoomToken.provider.authorizedScope).toBe('read-write');
    expect(withUserToken.provider.authorizedScope).toBe('read-write');
  });

  it('a viewer invited into an open room is read-only on the other instance, though anyone else may edit there', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'public' });
    const dan = await guest(a!.url, 'Dan');
    // B caches the open room, and Dan as someone who is not a member (an editor).
    const before = await syncedProvider(b!.wsUrl, room.id, dan.token);
    expect(before.provider.authorizedScope).toBe('read-write');
    before.destroy();

    await joinRoom(a!.url, room.id, dan.token, { invite: await inviteToken(a!.url, room.id, owner.token, 'viewer') });
    const after = await syncedProvider(b!.wsUrl, room.id, dan.token);
    expect(after.provider.authorizedScope).toBe('readonly');
  });

  it('made private on one instance: a stranger is refused on the other, which had the room cached as open', {
    timeout: 30_000,
  }, async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'public' });
    const eve = await guest(a!.url, 'Eve');
    const ownerOnA = await syncedProvider(a!.wsUrl, room.id, owner.token);
    putRecord(ownerOnA.doc, room.id, 'shape:private', {});
    await acknowledged(ownerOnA);
    await syncedProvider(b!.wsUrl, room.id, eve.token);
    const madePrivate = await call(a!.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { visibility: 'private' } });
    expect(madePrivate.status).toBe(200);
    const fay = await guest(a!.url, 'Fay');
    // Past LiveAccess's window for connections that raced a change (it would catch a
    // wrong admission afterwards): the refusal must come from the access decision.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const fayOnB = openProvider(b!.wsUrl, room.id, fay.token);
    await refusal(fayOnB);
    expect(recordIds(fayOnB.doc, room.id)).toEqual([]);
  });

  it('while Redis is away an instance trusts nothing it cached: a room made private meanwhile refuses strangers', {
    timeout: 60_000,
  }, async () => {
    const redis = await startRedisServer();
    const {
      servers: [a, b],
    } = await startCluster(2, { redisUrl: redis.url });
    const { owner, room } = await roomWithOwner(a!.url, { visibility: 'public' });
    const eve = await guest(a!.url, 'Eve');
    const fay = await guest(a!.url, 'Fay');
    (await syncedProvider(b!.wsUrl, room.id, eve.token)).destroy();

    await redis.stop();
    await vi.waitFor(async () => expect((await call(b!.url, 'GET', '/readyz')).status).toBe(503), { timeout: 10_000, interval: 100 });
    // A's change cannot reach B now; B must read the database instead of its cache.
    expect((await call(a!.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { visibility: 'private' } })).status).toBe(
      200,
    );
    await refusal(openProvider(b!.wsUrl, room.id, fay.token));
    await redis.stop();
  });
});
