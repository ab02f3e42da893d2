import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { openProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const lines: Array<Record<string, unknown>> = [];
let raw = '';
const sink = new Writable({
  write(chunk, _encoding, done) {
    raw += chunk.toString();
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

const server = useTestServer({
  env: { WS_MAX_MESSAGE_BYTES: '4096', CORS_ORIGINS: 'https://app.example.com' },
  overrides: { log: pino({ level: 'info' }, sink) },
});

const securityEvents = (type: string) => lines.filter((line) => line.event === 'security' && line.type === type);

describe('security events', () => {
  it('are structured lines with type, room, user and address, and never a token', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private', password: 'right' });
    const stranger = await guest(server.url, 'Stranger');

    // failed authentication
    const refused = openProvider(server.wsUrl, room.id, stranger.token);
    await vi.waitFor(() => expect(refused.failures).toEqual(['permission-denied']));
    // wrong password, then the rate limit on password attempts
    for (let i = 0; i < 11; i++)
      await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: stranger.token, body: { password: 'wrong' } });
    // oversized message
    const big = new WebSocket(server.wsUrl);
    await new Promise((resolve) => big.once('open', resolve));
    big.send(new Uint8Array(10_000));
    await new Promise((resolve) => big.once('close', resolve));
    // refused origin
    const foreign = new WebSocket(server.wsUrl, { headers: { origin: 'https://evil.example' } });
    await new Promise((resolve) => foreign.once('error', resolve));

    await vi.waitFor(() => {
      expect(securityEvents('auth-failed')[0]).toMatchObject({
        roomId: room.id,
        userId: stranger.user.id,
        ip: expect.stringMatching(/127\.0\.0\.1/),
        reason: 'permission-denied',
      });
      expect(securityEvents('wrong-password')[0]).toMatchObject({ roomId: room.id, userId: stranger.user.id, ip: expect.any(String) });
      expect(securityEvents('rate-limited')[0]).toMatchObject({ roomId: room.id, userId: stranger.user.id, ip: expect.any(String) });
      expect(securityEvents('message-too-large')[0]).toMatchObject({ ip: expect.any(String) });
      expect(securityEvents('origin-refused')[0]).toMatchObject({ ip: expect.any(String), reason: 'https://evil.example' });
    });
    expect(raw).not.toContain(stranger.token);
    expect(raw).not.toContain(owner.token);
    expect(raw).not.toContain('"right"');
  });

  it('stay quiet for honest clients: a presence moving over many frames is never "refused"', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const other = await guest(server.url, 'Other');
    const mover = openProvider(server.wsUrl, room.id, owner.token);
    const watcher = openProvider(server.wsUrl, room.id, other.token);
    await vi.waitFor(() => expect(mover.provider.isSynced && watcher.provider.isSynced).toBe(true));
    // Hocuspocus decodes every awareness frame next to a blank state of its own, and a
    // provider answers presence queries with its peers' states too: neither is an attack.
    for (let x = 0; x < 12; x++) {
      mover.provider.setAwarenessField('presence', { typeName: 'instance_presence', cursor: { x, y: 0 } });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await vi.waitFor(() =>
      expect(watcher.provider.awareness!.getStates().get(mover.doc.clientID)?.presence).toMatchObject({ cursor: { x: 11, y: 0 } }),
    );
    expect(securityEvents('awareness-refused').filter((event) => event.roomId === room.id)).toEqual([]);
    mover.destroy();
    watcher.destroy();
  });
});
