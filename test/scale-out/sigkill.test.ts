import { describe, expect, it, vi } from 'vitest';
import { call, guest } from '../helpers/api.ts';
import { testPrefix } from '../helpers/cluster.ts';
import { createTestStorage, REDIS_URL } from '../helpers/db.ts';
import { startNginx } from '../helpers/nginx.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { acknowledged, openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { TEST_SECRET } from '../helpers/server.ts';

async function connections(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/^scrible_connections (\d+)/m.exec(text)?.[1] ?? 0);
}

describe('an instance killed with SIGKILL', () => {
  it('loses nothing acknowledged; its clients reconnect through nginx and carry on', { timeout: 180_000 }, async () => {
    const storage = await createTestStorage('postgres');
    try {
      const env = {
        JWT_SECRET: TEST_SECRET,
        DATA_DIR: storage.dataDir,
        DATABASE_URL: storage.databaseUrl!,
        REDIS_URL,
        REDIS_PREFIX: testPrefix(),
        PRESENCE_TTL_SECONDS: '3',
        // The victim must not have stored its changes before it dies.
        SNAPSHOT_DEBOUNCE_MS: '60000',
        SNAPSHOT_MAX_DEBOUNCE_MS: '60000',
      };
      const instances = [
        await startServerProcess({ ...env, INSTANCE_ID: 'one' }),
        await startServerProcess({ ...env, INSTANCE_ID: 'two' }),
      ];
      const nginx = await startNginx(instances.map((instance) => new URL(instance.url).host));
      const owner = await guest(nginx.url, 'Owner');
      const roomId = (await call(nginx.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Board', visibility: 'public' } }))
        .body.id as string;

      // The writer goes through nginx; whichever instance the room hashes to is the victim.
      const writer = await syncedProvider(nginx.wsUrl, roomId, owner.token, `/collab/${roomId}`);
      const counts = await Promise.all(instances.map(connections));
      const victim = instances[counts.indexOf(1)]!;
      const survivor = instances[counts.indexOf(0)]!;
      expect(victim).toBeDefined();
      expect(survivor).toBeDefined();

      const bea = await guest(nginx.url, 'Bea');
      const watcher = await syncedProvider(survivor.wsUrl, roomId, bea.token);
      const cyd = await guest(nginx.url, 'Cyd');
      // Straight to the victim, never reconnecting elsewhere: its presence must expire.
      const stranded = await syncedProvider(victim.wsUrl, roomId, cyd.token);
      const online = async () =>
        ((await call(survivor.url, 'GET', `/api/rooms/${roomId}`)).body.online as Array<{ name: string }>).map((u) => u.name).sort();
      await vi.waitFor(async () => expect(await online()).toEqual(['Bea', 'Cyd', 'Owner']), { timeout: 5_000 });

      const written: string[] = [];
      for (let i = 0; i < 30; i++) {
        const id = `shape:before-${String(i).padStart(2, '0')}`;
        putRecord(writer.doc, roomId, id, { i });
        written.push(id);
      }
      await acknowledged(writer);
      victim.child.kill('SIGKILL');
      await victim.exited;
      stranded.provider.configuration.websocketProvider.destroy();

      // The survivor's client has every acknowledged change.
      await vi.waitFor(() => expect(recordIds(watcher.doc, roomId)).toEqual(written), { timeout: 10_000 });
      // The writer reconnects through nginx (now to the survivor) and carries on.
      await vi.waitFor(() => expect(writer.provider.isSynced && writer.provider.configuration.websocketProvider.status).toBe('connected'), {
        timeout: 10_000,
      });
      putRecord(writer.doc, roomId, 'shape:after', {});
      written.push('shape:after');
      await acknowledged(writer);
      await vi.waitFor(() => expect(recordIds(watcher.doc, roomId)).toEqual(written.slice().sort()), { timeout: 10_000 });
      expect(await connections(survivor)).toBe(2);

      // The dead instance's presence entries go within the heartbeat TTL.
      await vi.waitFor(async () => expect(await online()).toEqual(['Bea', 'Owner']), { timeout: 15_000, interval: 250 });

      // Everything is in the database: a clean stop of the survivor, then a fresh instance.
      writer.destroy();
      watcher.destroy();
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);
      const fresh = await startServerProcess({ ...env, INSTANCE_ID: 'three' });
      const reader = openProvider(fresh.wsUrl, roomId, owner.token);
      await vi.waitFor(() => expect(recordIds(reader.doc, roomId)).toEqual(written.slice().sort()), { timeout: 10_000 });
      fresh.child.kill('SIGTERM');
      await fresh.exited;
      await nginx.stop();
    } finally {
      await storage.drop();
    }
  });

  it('a change that reached the survivor only through Redis is stored by the survivor', { timeout: 180_000 }, async () => {
    const storage = await createTestStorage('postgres');
    try {
      const base = {
        JWT_SECRET: TEST_SECRET,
        DATA_DIR: storage.dataDir,
        DATABASE_URL: storage.databaseUrl!,
        REDIS_URL,
        REDIS_PREFIX: testPrefix(),
        SNAPSHOT_DEBOUNCE_MS: '200',
        SNAPSHOT_MAX_DEBOUNCE_MS: '1000',
      };
      // The victim would store only after a minute; it never gets there. Without its
      // durable log too: otherwise the log rows it wrote before acknowledging would hold
      // the changes, and this test would pass whether or not the survivor stores them.
      const victim = await startServerProcess({
        ...base,
        INSTANCE_ID: 'victim',
        SNAPSHOT_DEBOUNCE_MS: '60000',
        SNAPSHOT_MAX_DEBOUNCE_MS: '60000',
        DURABLE_LOG: 'false',
      });
      const survivor = await startServerProcess({ ...base, INSTANCE_ID: 'survivor' });
      const owner = await guest(victim.url, 'Owner');
      const roomId = (await call(victim.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Board', visibility: 'public' } }))
        .body.id as string;
      const writer = await syncedProvider(victim.wsUrl, roomId, owner.token);
      const watcher = await syncedProvider(survivor.wsUrl, roomId, owner.token);
      const written = Array.from({ length: 20 }, (_, i) => `shape:${String(i).padStart(2, '0')}`);
      for (const id of written) putRecord(writer.doc, roomId, id, {});
      await acknowledged(writer);
      await vi.waitFor(() => expect(recordIds(watcher.doc, roomId)).toEqual(written), { timeout: 5_000 });

      // The writer's tab is gone with its instance: nobody will ever resend these.
      victim.child.kill('SIGKILL');
      writer.destroy();
      await victim.exited;
      watcher.destroy();
      survivor.child.kill('SIGTERM');
      expect(await survivor.exited).toBe(0);

      const fresh = await startServerProcess({ ...base, INSTANCE_ID: 'fresh' });
      const reader = openProvider(fresh.wsUrl, roomId, owner.token);
      await vi.waitFor(() => expect(recordIds(reader.doc, roomId)).toEqual(written), { timeout: 10_000 });
      fresh.child.kill('SIGTERM');
      await fresh.exited;
    } finally {
      await storage.drop();
    }
  });
});
