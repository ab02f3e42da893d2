import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { call, guest } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startRedisServer } from '../helpers/redis-server.ts';
import { startTestServer } from '../helpers/server.ts';

describe('Redis outage', () => {
  it('instances keep serving, /readyz is 503, and split rooms converge when Redis returns', { timeout: 60_000 }, async () => {
    const redis = await startRedisServer();
    const {
      servers: [a, b],
      storage,
    } = await startCluster(2, { redisUrl: redis.url });
    const owner = await guest(a!.url, 'Owner');
    const created = await call(a!.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Board', visibility: 'public' } });
    const roomId = created.body.id as string;
    const onA = await syncedProvider(a!.wsUrl, roomId, owner.token);
    const onB = await syncedProvider(b!.wsUrl, roomId, owner.token);
    putRecord(onA.doc, roomId, 'shape:before', {});
    await vi.waitFor(() => expect(recordIds(onB.doc, roomId)).toEqual(['shape:before']), { timeout: 5_000 });

    await redis.stop();
    await vi.waitFor(
      async () => {
        for (const server of [a!, b!]) {
          const ready = await call(server.url, 'GET', '/readyz');
          expect(ready.status).toBe(503);
          expect(ready.body.checks.database).toBe('ok');
          expect(ready.body.checks.redis).not.toBe('ok');
        }
      },
      { timeout: 10_000, interval: 100 },
    );
    expect((await call(a!.url, 'GET', '/healthz')).status).toBe(200);

    // Each instance goes on serving its own clients, including new ones.
    putRecord(onA.doc, roomId, 'shape:during-a', {});
    putRecord(onB.doc, roomId, 'shape:during-b', {});
    await acknowledged(onA);
    await acknowledged(onB);
    const secondOnA = await syncedProvider(a!.wsUrl, roomId, owner.token);
    // Each side has its own writes at once; the other side's may already have arrived
    // through the database (a store merges what the other instance stored).
    await vi.waitFor(() => expect(recordIds(secondOnA.doc, roomId)).toEqual(expect.arrayContaining(['shape:before', 'shape:during-a'])), {
      timeout: 5_000,
    });
    expect(recordIds(onB.doc, roomId)).toEqual(expect.arrayContaining(['shape:before', 'shape:during-b']));
    // A room nobody had open loads from the database alone.
    const fresh = await call(b!.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'New', visibility: 'public' } });
    const freshOnB = await syncedProvider(b!.wsUrl, fresh.body.id, owner.token);
    putRecord(freshOnB.doc, fresh.body.id, 'shape:fresh', {});
    await acknowledged(freshOnB);

    await redis.start();
    await vi.waitFor(
      async () => {
        for (const server of [a!, b!]) expect((await call(server.url, 'GET', '/readyz')).status).toBe(200);
      },
      { timeout: 15_000, interval: 100 },
    );
    // No new change is made: the reconnect alone must bring the halves together.
    const all = ['shape:before', 'shape:during-a', 'shape:during-b'];
    await vi.waitFor(
      () => {
        expect(recordIds(onA.doc, roomId)).toEqual(all);
        expect(recordIds(onB.doc, roomId)).toEqual(all);
        expect(recordIds(secondOnA.doc, roomId)).toEqual(all);
      },
      { timeout: 10_000 },
    );

    // And fan-out works again afterwards.
    putRecord(onB.doc, roomId, 'shape:after', {});
    await acknowledged(onB);
    await vi.waitFor(() => expect(recordIds(onA.doc, roomId)).toContain('shape:after'), { timeout: 5_000 });

    // What is stored holds every acknowledged write from both sides of the split: a
    // fresh instance without Redis loads the room from the database alone.
    const reader = await startTestServer({ storage });
    onTestFinished(() => reader.close());
    const stored = await syncedProvider(reader.wsUrl, roomId, owner.token);
    expect(recordIds(stored.doc, roomId)).toEqual([...all, 'shape:after'].sort());
    // Presence was repaired by the heartbeat after the empty Redis came back.
    await vi.waitFor(
      async () => {
        const room = await call(b!.url, 'GET', `/api/rooms/${roomId}`);
        expect(room.body.online.map((u: { name: string }) => u.name)).toEqual(['Owner']);
      },
      { timeout: 5_000 },
    );
  });

  it('rooms opened before Redis was reachable join the fan-out once it is', { timeout: 60_000 }, async () => {
    const redis = await startRedisServer();
    await redis.stop();
    const {
      servers: [a, b],
    } = await startCluster(2, { redisUrl: redis.url });
    const owner = await guest(a!.url, 'Owner');
    const roomId = (await call(a!.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Board', visibility: 'public' } })).body
      .id as string;
    const onA = await syncedProvider(a!.wsUrl, roomId, owner.token);
    const onB = await syncedProvider(b!.wsUrl, roomId, owner.token);
    putRecord(onA.doc, roomId, 'shape:a', {});
    putRecord(onB.doc, roomId, 'shape:b', {});
    await acknowledged(onA);
    await acknowledged(onB);
    expect((await call(a!.url, 'GET', '/readyz')).status).toBe(503);

    await redis.start();
    await vi.waitFor(
      () => {
        expect(recordIds(onA.doc, roomId)).toEqual(['shape:a', 'shape:b']);
        expect(recordIds(onB.doc, roomId)).toEqual(['shape:a', 'shape:b']);
      },
      { timeout: 15_000 },
    );
    putRecord(onB.doc, roomId, 'shape:later', {});
    await vi.waitFor(() => expect(recordIds(onA.doc, roomId)).toContain('shape:later'), { timeout: 5_000 });
  });
});
