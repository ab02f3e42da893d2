import { describe, expect, it, vi } from 'vitest';
import { call, guest } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { authenticate, awarenessFrame, openRawSocket } from '../helpers/raw-socket.ts';

async function publicRoom(baseUrl: string) {
  const owner = await guest(baseUrl, 'Owner');
  const answer = await call(baseUrl, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Board', visibility: 'public' } });
  expect(answer.status).toBe(201);
  return { owner, roomId: answer.body.id as string };
}

describe('two instances, one Redis, one PostgreSQL', () => {
  it('providers on different instances converge both ways', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, roomId } = await publicRoom(a!.url);
    const onA = await syncedProvider(a!.wsUrl, roomId, owner.token);
    const other = await guest(b!.url, 'Other');
    const onB = await syncedProvider(b!.wsUrl, roomId, other.token);

    putRecord(onA.doc, roomId, 'shape:from-a', { x: 1 });
    await vi.waitFor(() => expect(recordIds(onB.doc, roomId)).toEqual(['shape:from-a']), { timeout: 5_000 });
    putRecord(onB.doc, roomId, 'shape:from-b', { x: 2 });
    await vi.waitFor(() => expect(recordIds(onA.doc, roomId)).toEqual(['shape:from-a', 'shape:from-b']), { timeout: 5_000 });

    // Concurrent edits on both sides end in one board.
    for (let i = 0; i < 20; i++) {
      putRecord(onA.doc, roomId, `shape:a${i}`, { i });
      putRecord(onB.doc, roomId, `shape:b${i}`, { i });
    }
    await vi.waitFor(
      () => {
        expect(recordIds(onA.doc, roomId)).toHaveLength(42);
        expect(recordIds(onB.doc, roomId)).toEqual(recordIds(onA.doc, roomId));
      },
      { timeout: 5_000 },
    );
  });

  it('a late joiner on the other instance gets the unsaved state of the first', async () => {
    // A long debounce: the state can only come from the other instance, not the database.
    const {
      servers: [a, b],
    } = await startCluster(2, { env: { SNAPSHOT_DEBOUNCE_MS: '60000', SNAPSHOT_MAX_DEBOUNCE_MS: '60000' } });
    const { owner, roomId } = await publicRoom(a!.url);
    const onA = await syncedProvider(a!.wsUrl, roomId, owner.token);
    putRecord(onA.doc, roomId, 'shape:unsaved', {});
    await acknowledged(onA);
    const onB = await syncedProvider(b!.wsUrl, roomId, owner.token);
    await vi.waitFor(() => expect(recordIds(onB.doc, roomId)).toEqual(['shape:unsaved']), { timeout: 5_000 });
  });

  it('awareness (cursors, names) crosses instances', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { roomId } = await publicRoom(a!.url);
    // Names come from the tokens: the server stamps presence with the proven identity.
    const ada = await guest(a!.url, 'Ada');
    const onA = await syncedProvider(a!.wsUrl, roomId, ada.token);
    const onB = await syncedProvider(b!.wsUrl, roomId, (await guest(b!.url, 'Bea')).token);

    onA.provider.setAwarenessField('user', { id: 'u-a', name: 'Ada', color: '#f00' });
    onA.provider.setAwarenessField('presence', { cursor: { x: 10, y: 20 } });
    onB.provider.setAwarenessField('user', { id: 'u-b', name: 'Bea', color: '#00f' });

    const names = (states: Map<number, Record<string, any>>) =>
      [...states.values()]
        .map((state) => state.user?.name)
        .filter(Boolean)
        .sort();
    await vi.waitFor(
      () => {
        expect(names(onB.provider.awareness!.getStates())).toEqual(['Ada', 'Bea']);
        expect(names(onA.provider.awareness!.getStates())).toEqual(['Ada', 'Bea']);
      },
      { timeout: 5_000 },
    );
    const adaState = [...onB.provider.awareness!.getStates().values()].find((state) => state.user?.name === 'Ada');
    expect(adaState?.presence).toEqual({ cursor: { x: 10, y: 20 }, userId: `user:${ada.user.id}`, userName: 'Ada' });

    onA.provider.setAwarenessField('presence', { cursor: { x: 30, y: 40 } });
    await vi.waitFor(
      () => {
        const moved = [...onB.provider.awareness!.getStates().values()].find((state) => state.user?.name === 'Ada');
        expect(moved?.presence).toEqual({ cursor: { x: 30, y: 40 }, userId: `user:${ada.user.id}`, userName: 'Ada' });
      },
      { timeout: 5_000 },
    );
  });

  it("relayed presence stays stamped, and a connection on one instance cannot overwrite another instance's client", async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { roomId } = await publicRoom(a!.url);
    const ada = await guest(a!.url, 'Ada');
    const mallory = await guest(b!.url, 'Mallory');
    const onA = await syncedProvider(a!.wsUrl, roomId, ada.token);
    const spoofer = await syncedProvider(b!.wsUrl, roomId, mallory.token);
    onA.provider.setAwarenessField('presence', { cursor: { x: 1, y: 2 } });
    spoofer.provider.setAwarenessField('presence', { typeName: 'instance_presence', userId: `user:${ada.user.id}`, userName: 'Ada' });
    await vi.waitFor(
      () => {
        expect(onA.provider.awareness!.getStates().get(spoofer.doc.clientID)?.presence).toMatchObject({
          userId: `user:${mallory.user.id}`,
          userName: 'Mallory',
        });
        expect(spoofer.provider.awareness!.getStates().get(onA.doc.clientID)?.presence).toMatchObject({ cursor: { x: 1, y: 2 } });
      },
      { timeout: 5_000 },
    );

    // Mallory, on B, forges Ada's client (whose connection is on A) with a huge clock.
    const socket = await openRawSocket(b!.wsUrl);
    await authenticate(socket, roomId, mallory.token);
    socket.send(
      awarenessFrame(roomId, [{ clientId: onA.doc.clientID, clock: 1_000_000, state: { presence: { cursor: { x: 666, y: 666 } } } }]),
    );
    onA.provider.setAwarenessField('presence', { cursor: { x: 3, y: 4 } });
    await vi.waitFor(
      () => expect(spoofer.provider.awareness!.getStates().get(onA.doc.clientID)?.presence).toMatchObject({ cursor: { x: 3, y: 4 } }),
      { timeout: 5_000 },
    );
    expect(a!.hocuspocus.documents.get(roomId)!.awareness.getStates().get(onA.doc.clientID)).toMatchObject({
      presence: { cursor: { x: 3, y: 4 } },
    });
  });

  it('GET /api/rooms/:id on any instance lists everyone online, and a clean disconnect leaves at once', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, roomId } = await publicRoom(a!.url);
    const bea = await guest(b!.url, 'Bea');
    const onA = await syncedProvider(a!.wsUrl, roomId, owner.token);
    const onB = await syncedProvider(b!.wsUrl, roomId, bea.token);

    const online = async (url: string) =>
      ((await call(url, 'GET', `/api/rooms/${roomId}`)).body.online as Array<{ name: string }>).map((u) => u.name).sort();
    await vi.waitFor(
      async () => {
        expect(await online(a!.url)).toEqual(['Bea', 'Owner']);
        expect(await online(b!.url)).toEqual(['Bea', 'Owner']);
      },
      { timeout: 5_000 },
    );

    onB.destroy();
    await vi.waitFor(
      async () => {
        expect(await online(a!.url)).toEqual(['Owner']);
      },
      { timeout: 2_000 },
    );
    onA.destroy();
    await vi.waitFor(async () => expect(await online(b!.url)).toEqual([]), { timeout: 2_000 });
  });

  it('/readyz checks Redis too', async () => {
    const {
      servers: [a],
    } = await startCluster(1);
    // Not ready until its Redis connection is up, which may take a moment after listen().
    await vi.waitFor(
      async () => {
        const answer = await call(a!.url, 'GET', '/readyz');
        expect(answer.body.checks).toEqual({ database: 'ok', redis: 'ok' });
        expect(answer.status).toBe(200);
      },
      { timeout: 10_000, interval: 50 },
    );
    // Its Redis round trips feed the latency metric the alert rules watch.
    const metrics = await (await fetch(`${a!.url}/metrics`)).text();
    expect(metrics).toMatch(/scrible_redis_command_duration_seconds_count [1-9]/);
  });
});
