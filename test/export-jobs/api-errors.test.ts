import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportsTable } from '../../src/db/schema.ts';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';
import { writeBoardToYDoc } from '../../src/render/index.ts';
import { decodePng, fixtureFile } from '../render/helpers.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, fixtureRoom, requestExport, settled, unloaded } from './helpers.ts';

let server: TestServer;
const logLines: Array<Record<string, unknown>> = [];
beforeAll(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  server = await startTestServer({ overrides: { log } });
});
afterAll(async () => {
  await server.close();
  await server.storage.drop();
});

describe('export API refusals', () => {
  it('401 without or with a bad token', async () => {
    const { room } = await roomWithOwner(server.url);
    expect((await call(server.url, 'POST', `/api/exports/${room.id}`, { body: { format: 'svg' } })).status).toBe(401);
    expect((await call(server.url, 'POST', `/api/exports/${room.id}`, { body: { format: 'svg' }, token: 'nope' })).status).toBe(401);
    expect((await call(server.url, 'GET', `/api/exports/${randomUUID()}`)).status).toBe(401);
    expect((await call(server.url, 'GET', `/api/exports/${randomUUID()}/file`)).status).toBe(401);
  });

  it('400 for an unknown format, unknown fields and bad options', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    for (const body of [
      { format: 'gif' },
      {},
      { format: 'svg', extra: 1 },
      { format: 'png', scale: 10 },
      { format: 'svg', background: 'yes' },
    ]) {
      const answer = await call(server.url, 'POST', `/api/exports/${room.id}`, { token: owner.token, body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('validation-failed');
    }
  });

  it('404 for unknown rooms and unknown or malformed export ids', async () => {
    const me = await guest(server.url);
    const answer = await call(server.url, 'POST', '/api/exports/nosuchroom', { token: me.token, body: { format: 'svg' } });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('room-not-found');
    for (const id of [randomUUID(), 'not-a-uuid', "1'; drop table exports;--"]) {
      expect((await call(server.url, 'GET', `/api/exports/${encodeURIComponent(id)}`, { token: me.token })).status).toBe(404);
      expect((await call(server.url, 'GET', `/api/exports/${encodeURIComponent(id)}/file`, { token: me.token })).status).toBe(404);
    }
  });

  it('403 for people who are not members, for the export and its file too', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const stranger = await guest(server.url);
    expect((await call(server.url, 'POST', `/api/exports/${room.id}`, { token: stranger.token, body: { format: 'svg' } })).status).toBe(
      403,
    );
    const made = await requestExport(server.url, room.id, owner.token, { format: 'svg' });
    expect((await call(server.url, 'GET', `/api/exports/${made.id}`, { token: stranger.token })).status).toBe(403);
    expect((await call(server.url, 'GET', `/api/exports/${made.id}/file`, { token: stranger.token })).status).toBe(403);
  });

  it('409 for the file of an export that is not completed', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    // Claimed just now by some instance: nobody else takes it over for a while.
    const [row] = await server.database.db
      .insert(exportsTable)
      .values({ roomId: room.id, format: 'png', status: 'processing', startedAt: new Date(), attempts: 1 })
      .returning();
    const answer = await call(server.url, 'GET', `/api/exports/${row!.id}/file`, { token: owner.token });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('export-not-ready');
    expect((await call(server.url, 'GET', `/api/exports/${row!.id}`, { token: owner.token })).body.status).toBe('processing');
  });
});

describe('export edge cases', () => {
  it('an empty board, and a room never written, export a valid blank PNG', async () => {
    const never = await roomWithOwner(server.url);
    const empty = await roomWithOwner(server.url);
    const writer = await syncedProvider(server.wsUrl, empty.room.id, empty.owner.token);
    const pageOnly = fixtureFile().records.filter((r) => r.typeName === 'document' || r.typeName === 'page');
    writeBoardToYDoc(writer.doc, empty.room.id, { schema: fixtureFile().schema, records: pageOnly });
    await acknowledged(writer);
    for (const { owner, room } of [never, empty]) {
      const made = await requestExport(server.url, room.id, owner.token, { format: 'png' });
      const { view } = await settled(server.url, made.id, owner.token);
      expect(view.status, view.error ?? '').toBe('completed');
      const png = decodePng((await download(`${server.url}/api/exports/${made.id}/file`, owner.token)).bytes);
      expect(png.width).toBeGreaterThan(0);
    }
  });

  it('skips a record that fails validation and names it in the log', async () => {
    const { owner, room, writer } = await fixtureRoom(server);
    putRecord(writer.doc, room.id, 'shape:broken', { typeName: 'shape', type: 'geo', x: 'left', props: {} });
    await acknowledged(writer);
    const made = await requestExport(server.url, room.id, owner.token, { format: 'svg' });
    const { view } = await settled(server.url, made.id, owner.token);
    expect(view.status, view.error ?? '').toBe('completed');
    const warning = logLines.find((l) => l.exportId === made.id && l.recordId === 'shape:broken');
    expect(warning?.msg).toContain('shape:broken');
  });

  it('a broken document fails with a readable error', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    await new SnapshotStore(server.database.db).append(room.id, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), new Uint8Array([0]));
    const made = await requestExport(server.url, room.id, owner.token, { format: 'svg' });
    const { view } = await settled(server.url, made.id, owner.token);
    expect(view).toMatchObject({ status: 'failed', fileUrl: null, error: expect.stringMatching(/can(not)? be decoded/) });
    expect(view.completedAt).not.toBeNull();
    expect((await call(server.url, 'GET', `/api/exports/${made.id}/file`, { token: owner.token })).status).toBe(409);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/scrible_exports_total\{format="svg",status="failed"\} [1-9]/);
  });

  it('an unknown page fails with a readable error', async () => {
    const { owner, room, writer } = await fixtureRoom(server);
    const made = await requestExport(server.url, room.id, owner.token, { format: 'svg', pageId: 'page:nope' });
    const { view } = await settled(server.url, made.id, owner.token);
    expect(view.status).toBe('failed');
    expect(view.error).toContain('page:nope');
    writer.destroy();
  });

  it('deleting the room deletes its exports and their files', async () => {
    const { owner, room, writer } = await fixtureRoom(server);
    const made = await requestExport(server.url, room.id, owner.token, { format: 'svg' });
    await settled(server.url, made.id, owner.token);
    const file = path.join(server.storage.dataDir, 'exports', room.id, `${made.id}.svg`);
    expect(existsSync(file)).toBe(true);
    await unloaded(server, room.id, [writer]);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    expect((await call(server.url, 'GET', `/api/exports/${made.id}`, { token: owner.token })).status).toBe(404);
    await vi.waitFor(() => expect(existsSync(file)).toBe(false));
  });
});
