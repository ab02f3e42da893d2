import { describe, expect, it } from 'vitest';
import { roomWithOwner } from '../helpers/api.ts';
import { acknowledged, syncedProvider } from '../helpers/provider.ts';
import { openRawSocket, syncFrame } from '../helpers/raw-socket.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { AUTH_TIMEOUT_MS: '500', WS_MAX_CONNECTIONS_PER_IP: '5', WS_PREAUTH_MAX_MESSAGES: '8' } });

describe('unauthenticated sockets', () => {
  it('are closed after AUTH_TIMEOUT_MS (4408)', async () => {
    const socket = await openRawSocket(server.wsUrl);
    expect(await socket.closed).toEqual({ code: 4408, reason: 'auth-timeout' });
  });

  it('may send only a few messages before authenticating (4429)', async () => {
    const socket = await openRawSocket(server.wsUrl);
    const stateVector = new Uint8Array([0]);
    for (let i = 0; i < 9; i++) socket.send(syncFrame('some-room', stateVector, 0));
    expect(await socket.closed).toEqual({ code: 4429, reason: 'preauth-limit' });
  });

  it('are limited per client address (WS_MAX_CONNECTIONS_PER_IP), and a closed one frees its slot', async () => {
    const open = await Promise.all(Array.from({ length: 5 }, () => openRawSocket(server.wsUrl)));
    await expect(openRawSocket(server.wsUrl)).rejects.toThrow(/429/);
    open[0]!.ws.close();
    await open[0]!.closed;
    const again = await openRawSocket(server.wsUrl);
    for (const socket of [...open, again]) socket.ws.terminate();
  });

  it('an authenticated provider is not closed by the deadline', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const client = await syncedProvider(server.wsUrl, room.id, owner.token);
    let closes = 0;
    client.provider.configuration.websocketProvider.on('close', () => closes++);
    // A socket opened after the provider times out, so the provider's deadline passed too.
    const later = await openRawSocket(server.wsUrl);
    expect(await later.closed).toEqual({ code: 4408, reason: 'auth-timeout' });
    client.doc.getArray(`tl_${room.id}`).push([{ key: 'shape:x', val: {} }]);
    await acknowledged(client);
    expect(closes).toBe(0);
  });
});
