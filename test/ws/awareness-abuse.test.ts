import { describe, expect, it, vi } from 'vitest';
import { guest, roomWithOwner } from '../helpers/api.ts';
import { syncedProvider } from '../helpers/provider.ts';
import { authenticate, awarenessFrame, openRawSocket, rejectedCount } from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { WS_AWARENESS_PER_SECOND: '5' } });

describe('awareness floods', () => {
  it('closes a socket that publishes 100,000 client ids in one update (4400), keeping none of them', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const watcher = await syncedProvider(server.wsUrl, room.id, owner.token);
    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, owner.token);
    const states = Array.from({ length: 100_000 }, (_, i) => ({ clientId: i + 1, clock: 1, state: {} }));
    socket.send(awarenessFrame(room.id, states));
    expect(await socket.closed).toEqual({ code: 4400, reason: 'awareness-refused' });
    const awareness = server.hocuspocus.documents.get(room.id)!.awareness;
    expect(awareness.getStates().size).toBeLessThanOrEqual(1);
    expect(awareness.meta.size).toBeLessThanOrEqual(1);
    watcher.destroy();
  });

  it('closes a socket that publishes a state over 64 KiB', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, owner.token);
    socket.send(awarenessFrame(room.id, [{ clientId: 7, clock: 1, state: { blob: 'x'.repeat(70_000) } }]));
    expect(await socket.closed).toEqual({ code: 4400, reason: 'awareness-refused' });
  });

  it('drops awareness updates over the per-connection rate', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const before = await rejectedCount(server.url, 'awareness-rate');
    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, owner.token);
    for (let clock = 1; clock <= 40; clock++) socket.send(awarenessFrame(room.id, [{ clientId: 99, clock, state: { n: clock } }]));
    await vi.waitFor(async () => expect(await rejectedCount(server.url, 'awareness-rate')).toBeGreaterThan(before), { timeout: 10_000 });
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it("drops a connection's awareness metadata once it leaves", async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const stays = await syncedProvider(server.wsUrl, room.id, owner.token);
    const leaves = await syncedProvider(server.wsUrl, room.id, owner.token);
    leaves.provider.setAwarenessField('presence', { cursor: { x: 1, y: 1 } });
    const id = leaves.doc.clientID;
    const awareness = server.hocuspocus.documents.get(room.id)!.awareness;
    await vi.waitFor(() => expect(awareness.getStates().has(id)).toBe(true), { timeout: 10_000 });
    leaves.destroy();
    await vi.waitFor(() => expect(awareness.meta.has(id)).toBe(false), { timeout: 15_000 });
    expect(stays.provider.awareness!.getStates().has(id)).toBe(false);
  });
});

describe('presence spoofing', () => {
  it('stamps the identity the app draws (presence.userName, presence.userId) on every state, also without `user`', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const mallory = await guest(server.url, 'Mallory');
    const spoofer = await syncedProvider(server.wsUrl, room.id, mallory.token);
    const watcher = await syncedProvider(server.wsUrl, room.id, owner.token);
    spoofer.provider.setAwarenessField('presence', { typeName: 'instance_presence', userId: `user:${owner.user.id}`, userName: 'Owner' });
    await vi.waitFor(
      () => {
        const state = watcher.provider.awareness!.getStates().get(spoofer.doc.clientID);
        // tldraw 5's presence validator takes only user record ids (`user:<id>`).
        expect(state?.presence).toMatchObject({ userId: `user:${mallory.user.id}`, userName: 'Mallory' });
        expect(state?.user).toMatchObject({ id: mallory.user.id, name: 'Mallory' });
      },
      { timeout: 10_000 },
    );
  });

  it("a connection cannot overwrite another connection's entry, whatever its clock", async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const mallory = await guest(server.url, 'Mallory');
    const victim = await syncedProvider(server.wsUrl, room.id, owner.token);
    victim.provider.setAwarenessField('presence', { cursor: { x: 1, y: 2 } });
    const watcher = await syncedProvider(server.wsUrl, room.id, owner.token);
    const id = victim.doc.clientID;
    await vi.waitFor(() => expect(watcher.provider.awareness!.getStates().get(id)?.presence).toMatchObject({ cursor: { x: 1, y: 2 } }), {
      timeout: 10_000,
    });

    const socket = await openRawSocket(server.wsUrl);
    await authenticate(socket, room.id, mallory.token);
    socket.send(awarenessFrame(room.id, [{ clientId: id, clock: 1_000_000, state: { presence: { cursor: { x: 666, y: 666 } } } }]));
    // A later change of the victim's own arrives; the forged one never did.
    victim.provider.setAwarenessField('presence', { cursor: { x: 3, y: 4 } });
    await vi.waitFor(() => expect(watcher.provider.awareness!.getStates().get(id)?.presence).toMatchObject({ cursor: { x: 3, y: 4 } }), {
      timeout: 10_000,
    });
    const state = server.hocuspocus.documents.get(room.id)!.awareness.getStates().get(id);
    expect(state).toMatchObject({ user: { id: owner.user.id }, presence: { cursor: { x: 3, y: 4 } } });
  });
});
