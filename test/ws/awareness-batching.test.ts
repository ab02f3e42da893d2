import { describe, expect, it, vi } from 'vitest';
import { roomWithOwner } from '../helpers/api.ts';
import { syncedProvider } from '../helpers/provider.ts';
import { authenticate, awarenessFrame, openRawSocket, recordAwareness } from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';

// A long window, so the frames of one window are easy to tell apart on a loaded machine.
const server = useTestServer({ env: { WS_AWARENESS_FLUSH_MS: '300' } });

describe('awareness batching (WS_AWARENESS_FLUSH_MS)', () => {
  it('sends the cursors that moved within one window as one frame, each at its newest state', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const watcher = await openRawSocket(server.wsUrl);
    await authenticate(watcher, room.id, owner.token);
    const senders = await Promise.all([1, 2, 3].map(() => openRawSocket(server.wsUrl)));
    for (const sender of senders) await authenticate(sender, room.id, owner.token);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const frames = recordAwareness(watcher);

    // Moves 40 ms apart: without the window each would go out on its own.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 40));
    for (const [i, sender] of senders.entries()) {
      sender.send(awarenessFrame(room.id, [{ clientId: 1001 + i, clock: 1, state: { n: 1 } }]));
      await pause();
    }
    senders[0]!.send(awarenessFrame(room.id, [{ clientId: 1001, clock: 2, state: { n: 2 } }]));

    await vi.waitFor(() => expect(frames.flatMap((frame) => [...frame.keys()])).toEqual(expect.arrayContaining([1001, 1002, 1003])), {
      timeout: 5_000,
    });
    // One frame for the window (two if it closed between the sends on a slow machine), never one per move.
    expect(frames.length).toBeLessThan(4);
    expect(frames[0]!.size).toBeGreaterThan(1);
    const newest = new Map(frames.flatMap((frame) => [...frame]));
    expect(newest.get(1001)).toBe(2);
  });

  it("providers still see each other's cursors", async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const a = await syncedProvider(server.wsUrl, room.id, owner.token);
    const b = await syncedProvider(server.wsUrl, room.id, owner.token);
    a.provider.setAwarenessField('presence', { cursor: { x: 3, y: 4 } });
    await vi.waitFor(
      () => expect(b.provider.awareness!.getStates().get(a.doc.clientID)?.presence).toMatchObject({ cursor: { x: 3, y: 4 } }),
      {
        timeout: 5_000,
      },
    );
  });
});
