import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { acknowledged, openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { proxyPostgres, type TcpProxy } from '../helpers/tcp-proxy.ts';

// Issue 5: with the database unreachable nothing unacknowledged is acknowledged,
// the server keeps serving, and when it is back everything is stored.
describe('database outage', () => {
  let storage: TestStorage;
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const proxied = await proxyPostgres(storage.databaseUrl!);
    proxy = proxied.proxy;
    server = await startTestServer({ storage: { ...storage, databaseUrl: proxied.databaseUrl } });
  });
  afterAll(async () => {
    proxy.restore();
    await server.close();
    await proxy.close();
    await storage.drop();
  });

  it('holds acknowledgements while the database is away and stores everything when it returns', { timeout: 60_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const watcher = await syncedProvider(server.wsUrl, room.id, (await guest(server.url)).token);
    putRecord(writer.doc, room.id, 'shape:before', {});
    await acknowledged(writer);

    proxy.cut();
    await vi.waitFor(async () => expect((await call(server.url, 'GET', '/readyz')).status).toBe(503), { timeout: 10_000 });
    putRecord(writer.doc, room.id, 'shape:during', {});
    // Others still get it at once: only the sender's acknowledgement waits.
    await vi.waitFor(() => expect(recordIds(watcher.doc, room.id)).toContain('shape:during'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(writer.provider.hasUnsyncedChanges).toBe(true);
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
    // Someone arriving now is not refused (a refusal is final); they wait and retry.
    const late = openProvider(server.wsUrl, room.id, owner.token);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(late.failures).toEqual([]);

    proxy.restore();
    await acknowledged(writer);
    await vi.waitFor(() => expect(late.provider.isSynced).toBe(true), { timeout: 15_000 });
    expect(recordIds(late.doc, room.id)).toEqual(['shape:before', 'shape:during']);
    await vi.waitFor(async () => expect((await call(server.url, 'GET', '/readyz')).status).toBe(200), { timeout: 10_000 });

    // Nothing was lost: a server that never saw this room's memory finds it all.
    writer.destroy();
    watcher.destroy();
    late.destroy();
    const fresh = await startTestServer({ storage });
    try {
      const reader = await syncedProvider(fresh.wsUrl, room.id, owner.token);
      expect(recordIds(reader.doc, room.id)).toEqual(['shape:before', 'shape:during']);
    } finally {
      await fresh.close();
    }
  });
});
