import { describe, expect, it } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';
import { geo } from '../render/helpers.ts';
import { download, requestExport, settled } from './helpers.ts';

const server = useTestServer();

const page = { typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };

/** The record ids in a downloaded .tldr export. */
async function exportedIds(roomId: string, token: string, body: Record<string, unknown>): Promise<string[]> {
  const job = await requestExport(server.url, roomId, token, { format: 'json', ...body });
  const { view } = await settled(server.url, job.id, token);
  expect(view.status, view.error ?? '').toBe('completed');
  const file = await download(view.fileUrl!, token);
  const tldr = JSON.parse(new TextDecoder().decode(file.bytes)) as { records: Array<{ id: string }> };
  return tldr.records.map((r) => r.id).sort();
}

describe('export of a stored version', () => {
  it('draws the version asked for, not the live board', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(writer.doc, room.id, 'page:p', page);
    putRecord(writer.doc, room.id, 'shape:first', geo('first', 0, 0));
    await acknowledged(writer);
    const named = await call(server.url, 'POST', `/api/rooms/${room.id}/versions`, { token: owner.token, body: { name: 'One shape' } });
    expect(named.status).toBe(201);
    putRecord(writer.doc, room.id, 'shape:second', geo('second', 200, 0));
    await acknowledged(writer);

    const then = await exportedIds(room.id, owner.token, { version: named.body.version });
    expect(then).toContain('shape:first');
    expect(then).not.toContain('shape:second');
    expect(await exportedIds(room.id, owner.token, {})).toEqual(expect.arrayContaining(['shape:first', 'shape:second']));

    // The picture formats draw it too.
    const svgJob = await requestExport(server.url, room.id, owner.token, { format: 'svg', version: named.body.version });
    const { view } = await settled(server.url, svgJob.id, owner.token);
    const svg = new TextDecoder().decode((await download(view.fileUrl!, owner.token)).bytes);
    expect(svg).toContain('data-shape-id="shape:first"');
    expect(svg).not.toContain('shape:second');
  });

  it('404 for a version the room does not have, 400 for one that cannot be a version', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const missing = await call(server.url, 'POST', `/api/exports/${room.id}`, {
      token: owner.token,
      body: { format: 'svg', version: 999 },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('version-not-found');
    for (const version of [0, -1, 1.5, '1']) {
      const answer = await call(server.url, 'POST', `/api/exports/${room.id}`, { token: owner.token, body: { format: 'svg', version } });
      expect(answer.status, String(version)).toBe(400);
    }
  });

  it('fails the job, without retrying, when the version is gone by the time it runs', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    // As if the version had been pruned between the request and the job.
    const row = await server.exports.store.create({ roomId: room.id, format: 'svg', requestedBy: owner.user.id, options: { version: 41 } });
    server.exports.kick();
    const { view } = await settled(server.url, row.id, owner.token);
    expect(view.status).toBe('failed');
    expect(view.error).toBe('Version 41 of the room no longer exists');
  });
});
