import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import * as Y from 'yjs';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { startCluster } from '../helpers/cluster.ts';
import { recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';
import { note, page } from '../helpers/tldraw-records.ts';

const server = useTestServer();

describe('document API', () => {
  it('puts records, reads them back as a migrated .tldr content, and removes them', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const put = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [page, note('shape:n1', 'hello'), note('shape:n2', 'world', 250)] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ applied: 3 });

    const read = await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: owner.token });
    expect(read.status).toBe(200);
    expect(read.body.schema).toMatchObject({
      schemaVersion: 2,
      sequences: expect.objectContaining({ 'com.tldraw.shape.note': expect.any(Number) }),
    });
    expect(read.body.records.map((r: { id: string }) => r.id).sort()).toEqual(['page:page', 'shape:n1', 'shape:n2']);
    expect(read.body.records.find((r: { id: string }) => r.id === 'shape:n1').props.richText.content[0].content[0].text).toBe('hello');

    // Putting an existing id replaces it; removing deletes.
    const change = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [note('shape:n1', 'changed')], remove: ['shape:n2', 'shape:absent'] },
    });
    expect(change.body).toEqual({ applied: 2 });
    const after = await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: owner.token });
    const ids = after.body.records.map((r: { id: string }) => r.id).sort();
    expect(ids).toEqual(['page:page', 'shape:n1']);
    expect(after.body.records.find((r: { id: string }) => r.id === 'shape:n1').props.richText.content[0].content[0].text).toBe('changed');
  });

  it('a live client sees a REST change, and the change is durable when answered', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const client = await syncedProvider(server.wsUrl, room.id, owner.token);
    const answer = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [page, note('shape:live', 'hi')] },
    });
    expect(answer.status).toBe(200);
    // In the durable log already (the snapshot debounce has not necessarily fired).
    const rows = await queryRows<{ n: number }>(
      server.database.db,
      sql`SELECT count(*)::int AS n FROM room_updates WHERE room_id = ${room.id}`,
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(recordIds(client.doc, room.id)).toEqual(['page:page', 'shape:live']), { timeout: 5_000 });
  });

  it('one invalid record is a 400 naming it, and nothing is applied', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const bad = { ...note('shape:bad', 'x'), props: { ...note('shape:bad', 'x').props, color: 'chartreuse' } };
    const answer = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [page, note('shape:good', 'ok'), bad] },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid-record');
    expect(answer.body.error.message).toContain('shape:bad');
    const unknownKey = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [{ ...page, extra: 1 }] },
    });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.message).toContain('page:page');
    const session = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [{ id: 'camera:x', typeName: 'camera', x: 0, y: 0, z: 1, meta: {} }] },
    });
    expect(session.status).toBe(400);
    const read = await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: owner.token });
    expect(read.body.records).toEqual([]);
  });

  it('viewers get 403, strangers 403, no token 401', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'viewer' } });
    const viewer = await guest(server.url, 'Viewer');
    expect(
      (await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: viewer.token, body: { invite: invite.body.token } })).status,
    ).toBe(200);
    const body = { put: [page] };
    expect((await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, { token: viewer.token, body })).status).toBe(403);
    const update = Y.encodeStateAsUpdate(new Y.Doc());
    const rawAsViewer = await fetch(`${server.url}/api/rooms/${room.id}/document/update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer.token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.from(update),
    });
    expect(rawAsViewer.status).toBe(403);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: viewer.token })).status).toBe(200);
    const stranger = await guest(server.url, 'Stranger');
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: stranger.token })).status).toBe(403);
    expect((await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, { body })).status).toBe(401);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/document`)).status).toBe(401);
    const read = await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: owner.token });
    expect(read.body.records).toEqual([]);
  });

  it('raw Yjs in and out', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const local = new Y.Doc();
    local.getArray(`tl_${room.id}`).push([{ key: 'page:page', val: page }]);
    const sent = await fetch(`${server.url}/api/rooms/${room.id}/document/update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.from(Y.encodeStateAsUpdate(local)),
    });
    expect(sent.status).toBe(200);
    await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, { token: owner.token, body: { put: [note('shape:rest', 'r')] } });

    const answer = await fetch(`${server.url}/api/rooms/${room.id}/document/update`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/octet-stream');
    const copy = new Y.Doc();
    Y.applyUpdate(copy, new Uint8Array(await answer.arrayBuffer()));
    expect(recordIds(copy, room.id)).toEqual(['page:page', 'shape:rest']);

    const garbage = await fetch(`${server.url}/api/rooms/${room.id}/document/update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/octet-stream' },
      body: new Uint8Array([200, 1, 2, 3, 4, 5]),
    });
    expect(garbage.status).toBe(400);
  });
});

describe('document API across instances', () => {
  it('a provider on one instance sees a change made through the REST API of another', async () => {
    const {
      servers: [a, b],
    } = await startCluster(2);
    const { owner, room } = await roomWithOwner(a!.url);
    const onA = await syncedProvider(a!.wsUrl, room.id, owner.token);
    const answer = await call(b!.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [page, note('shape:from-b', 'b')] },
    });
    expect(answer.status).toBe(200);
    await vi.waitFor(() => expect(recordIds(onA.doc, room.id)).toEqual(['page:page', 'shape:from-b']), { timeout: 5_000 });
  });
});
