import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { roomWithOwner } from '../helpers/api.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { proxyPostgres, type TcpProxy } from '../helpers/tcp-proxy.ts';

async function rejected(server: TestServer, reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^scrible_messages_rejected_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
  return Number(match?.[1] ?? 0);
}

// Appends that fail for good close the socket once (4503, one metric increment, no
// unhandled rejection: vitest fails the run on one), and the client's resend after
// the outage is stored; its acknowledgement waits until it is.
describe('appends that fail for good', () => {
  let storage: TestStorage;
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const proxied = await proxyPostgres(storage.databaseUrl!);
    proxy = proxied.proxy;
    server = await startTestServer({
      storage: { ...storage, databaseUrl: proxied.databaseUrl },
      env: { DURABLE_LOG_RETRY_MS: '300', SNAPSHOT_DEBOUNCE_MS: '60000', SNAPSHOT_MAX_DEBOUNCE_MS: '60000' },
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await server?.close();
    await proxy?.close();
    await storage?.drop();
  });

  it('close the socket once with 4503, and the resent changes are stored when the database returns', { timeout: 90_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const closes: number[] = [];
    writer.provider.configuration.websocketProvider.on('close', ({ event }: { event: { code: number } }) => closes.push(event.code));
    putRecord(writer.doc, room.id, 'shape:before', {});
    await acknowledged(writer);
    const before = await rejected(server, 'storage-unavailable');

    proxy.cut();
    for (let i = 0; i < 5; i++) putRecord(writer.doc, room.id, `shape:during${i}`, {});
    await vi.waitFor(() => expect(closes).toContain(4503), { timeout: 20_000 });
    expect(writer.provider.hasUnsyncedChanges).toBe(true);
    // Five failed appends on one connection: one close, counted once.
    expect(closes.filter((code) => code === 4503)).toHaveLength(1);
    expect(await rejected(server, 'storage-unavailable')).toBe(before + 1);

    proxy.restore();
    await vi.waitFor(() => expect(writer.provider.hasUnsyncedChanges).toBe(false), { timeout: 30_000 });
    writer.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 20_000 });

    const fresh = await startTestServer({ storage });
    try {
      const reader = await syncedProvider(fresh.wsUrl, room.id, owner.token);
      expect(recordIds(reader.doc, room.id)).toEqual(['shape:before', ...Array.from({ length: 5 }, (_, i) => `shape:during${i}`)]);
    } finally {
      await fresh.close();
    }
  });
});
