import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, TEST_SECRET, useTestServer } from '../helpers/server.ts';

const server = useTestServer();

describe('token lifetime', () => {
  it('closes a connection when its token expires; the token function then reconnects', { timeout: 20_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const issued: number[] = [];
    const shortLived = async () => {
      issued.push(Date.now());
      return jwt.sign({ sub: owner.user.id, name: 'Owner', exp: Math.floor(Date.now() / 1000) + 2 }, TEST_SECRET);
    };
    const opened = openProvider(server.wsUrl, room.id, shortLived);
    const closes: string[] = [];
    opened.provider.configuration.websocketProvider.on('close', ({ event }: { event: { code: number; reason: string } }) => {
      closes.push(`${event.code} ${event.reason}`);
    });
    await vi.waitFor(() => expect(opened.provider.isSynced).toBe(true));
    await vi.waitFor(() => expect(closes).toContain('4401 token-expired'), { timeout: 5_000 });
    // A fresh token was asked for and the provider is back in the room.
    await vi.waitFor(() => expect(issued.length).toBeGreaterThanOrEqual(2), { timeout: 5_000 });
    await vi.waitFor(() => expect(opened.provider.isSynced).toBe(true), { timeout: 5_000 });
    putRecord(opened.doc, room.id, 'shape:after-renewal', {});
    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    await vi.waitFor(() => expect(recordIds(reader.doc, room.id)).toEqual(['shape:after-renewal']));
  });
});

describe('JWT_SECRET rotation', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
  });
  afterAll(() => storage.drop());

  it('verifies tokens of the old secret and signs with the new one', async () => {
    const before = await startTestServer({ storage, env: { JWT_SECRET: 'old-secret-1234' } });
    const { owner, room } = await roomWithOwner(before.url, { visibility: 'private' });
    await before.close();

    const rotating = await startTestServer({ storage, env: { JWT_SECRET: 'new-secret-5678,old-secret-1234' } });
    try {
      // An old token still works, over REST and the socket.
      expect((await call(rotating.url, 'GET', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(200);
      await syncedProvider(rotating.wsUrl, room.id, owner.token);
      // New tokens carry the new secret's signature only.
      const fresh = await guest(rotating.url);
      expect(() => jwt.verify(fresh.token, 'new-secret-5678', { algorithms: ['HS256'] })).not.toThrow();
      expect(() => jwt.verify(fresh.token, 'old-secret-1234', { algorithms: ['HS256'] })).toThrow();
    } finally {
      await rotating.close();
    }

    const after = await startTestServer({ storage, env: { JWT_SECRET: 'new-secret-5678' } });
    try {
      expect((await call(after.url, 'GET', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(401);
    } finally {
      await after.close();
    }
  });
});
