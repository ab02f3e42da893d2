import { request } from 'node:https';
import { describe, expect, it, vi } from 'vitest';
import { call, guest } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { startNginx } from '../helpers/nginx.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';

function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // The test certificate is self-signed.
    request(url, { rejectUnauthorized: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('two instances behind nginx (deploy/nginx.conf)', () => {
  it('providers through nginx converge, each room sticks to one upstream, rooms spread over both', { timeout: 60_000 }, async () => {
    const { servers } = await startCluster(2);
    const nginx = await startNginx(servers.map((server) => new URL(server.url).host));
    const owner = await guest(nginx.url, 'Owner');

    const rooms: string[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await call(nginx.url, 'POST', '/api/rooms', {
        token: owner.token,
        body: { name: `Board ${i}`, visibility: 'public' },
      });
      expect(answer.status).toBe(201);
      rooms.push(answer.body.id);
    }
    const homes = new Map<string, number>();
    for (const roomId of rooms) {
      const first = await syncedProvider(nginx.wsUrl, roomId, owner.token, `/collab/${roomId}`);
      const second = await syncedProvider(nginx.wsUrl, roomId, owner.token, `/collab/${roomId}`);
      putRecord(first.doc, roomId, 'shape:one', {});
      putRecord(second.doc, roomId, 'shape:two', {});
      await vi.waitFor(
        () => {
          expect(recordIds(first.doc, roomId)).toEqual(['shape:one', 'shape:two']);
          expect(recordIds(second.doc, roomId)).toEqual(['shape:one', 'shape:two']);
        },
        { timeout: 5_000 },
      );
      const loadedOn = servers.flatMap((server, index) => (server.hocuspocus.documents.get(roomId)?.getConnectionsCount() ? [index] : []));
      expect(loadedOn).toHaveLength(1);
      expect(servers[loadedOn[0]!]!.hocuspocus.documents.get(roomId)!.getConnectionsCount()).toBe(2);
      homes.set(roomId, loadedOn[0]!);
      first.destroy();
      second.destroy();
    }
    // Twelve rooms all on one of two instances would mean the room is not the hash key.
    expect(new Set(homes.values()).size).toBe(2);

    // The same room comes back to the same instance.
    const again = rooms[0]!;
    const reopened = await syncedProvider(nginx.wsUrl, again, owner.token, `/collab/${again}`);
    expect(servers[homes.get(again)!]!.hocuspocus.documents.get(again)?.getConnectionsCount()).toBe(1);
    expect(recordIds(reopened.doc, again)).toEqual(['shape:one', 'shape:two']);

    // The TLS server block serves the same cluster.
    const healthz = await httpsGet(`${nginx.httpsUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(JSON.parse(healthz.body)).toEqual({ status: 'ok' });
  });
});
