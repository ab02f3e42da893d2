import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';
import { expectVersionsDominate } from '../helpers/versions.ts';

// Three versions kept, two namings at once per user (12 an hour: a burst of 2).
const server = useTestServer({ env: { SNAPSHOT_KEEP_VERSIONS: '3', NAMED_VERSIONS_PER_HOUR: '12' } });

interface Listed {
  version: number;
  createdAt: string;
  bytes: number;
  name: string | null;
  createdBy: { id: string; name: string | null } | null;
}

const list = async (roomId: string, token: string) =>
  (await call<Listed[]>(server.url, 'GET', `/api/rooms/${roomId}/snapshots`, { token })).body;
const nameVersion = (roomId: string, token: string | undefined, body: unknown) =>
  call(server.url, 'POST', `/api/rooms/${roomId}/versions`, { token, body });

/** The records of one stored version. */
async function recordsOf(roomId: string, version: number): Promise<string[]> {
  const data = await new SnapshotStore(server.database.db).get(roomId, version);
  if (!data) throw new Error(`no version ${version}`);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, data);
  return recordIds(doc, roomId);
}

/** A user who joined the room with an invite of `role`. */
async function invited(roomId: string, ownerToken: string, role: 'editor' | 'viewer') {
  const invite = await call(server.url, 'POST', `/api/rooms/${roomId}/invite`, { token: ownerToken, body: { role } });
  const user = await guest(server.url, role === 'editor' ? 'Eddie' : 'Vera');
  expect(
    (await call(server.url, 'POST', `/api/rooms/${roomId}/join`, { token: user.token, body: { invite: invite.body.token } })).status,
  ).toBe(200);
  return user;
}

describe('POST /api/rooms/:roomId/versions', () => {
  it('stores the live board now as a named version, listed with its author', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(writer.doc, room.id, 'shape:before', {});
    await acknowledged(writer);

    const named = await nameVersion(room.id, owner.token, { name: '  Before the redesign ' });
    expect(named.status).toBe(201);
    expect(named.body).toEqual({
      version: expect.any(Number),
      name: 'Before the redesign',
      createdAt: expect.any(String),
      createdBy: { id: owner.user.id, name: 'Owner' },
    });
    expect(await recordsOf(room.id, named.body.version)).toEqual(['shape:before']);
    // The store the edit scheduled (debounced) may land before or after the named one;
    // either way the named version is listed as it was made.
    const listed = (await list(room.id, owner.token)).find((row: { version: number }) => row.version === named.body.version);
    expect(listed).toEqual({
      version: named.body.version,
      createdAt: named.body.createdAt,
      bytes: expect.any(Number),
      name: 'Before the redesign',
      createdBy: { id: owner.user.id, name: 'Owner' },
    });
  });

  it('names a room no instance has loaded, from its stored snapshot and log', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(writer.doc, room.id, 'shape:stored', {});
    await acknowledged(writer);
    writer.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 10_000 });

    const named = await nameVersion(room.id, owner.token, { name: 'Archived' });
    expect(named.status).toBe(201);
    expect(await recordsOf(room.id, named.body.version)).toEqual(['shape:stored']);
    expect(server.hocuspocus.documents.has(room.id)).toBe(false);
    expect(await expectVersionsDominate(server.database.db, room.id)).toBeGreaterThanOrEqual(2);
  });

  it('is for owners and editors: 401 without a token, 403 for viewers and strangers, 404 for unknown rooms', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const editor = await invited(room.id, owner.token, 'editor');
    const viewer = await invited(room.id, owner.token, 'viewer');
    const stranger = await guest(server.url);

    const byEditor = await nameVersion(room.id, editor.token, { name: 'Editor draft' });
    expect(byEditor.status).toBe(201);
    expect(byEditor.body.createdBy).toEqual({ id: editor.user.id, name: 'Eddie' });

    const byViewer = await nameVersion(room.id, viewer.token, { name: 'Nope' });
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error.code).toBe('read-only');
    expect((await nameVersion(room.id, stranger.token, { name: 'Nope' })).status).toBe(403);
    expect((await nameVersion(room.id, undefined, { name: 'Nope' })).status).toBe(401);
    expect((await nameVersion('nosuchroom', owner.token, { name: 'Nope' })).status).toBe(404);
    // Anyone signed in edits an open room, so anyone may name its versions.
    const open = await roomWithOwner(server.url, { visibility: 'public' });
    expect((await nameVersion(open.room.id, stranger.token, { name: 'Visitor' })).status).toBe(201);
  });

  it('refuses bad names with 400', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 42 }, { name: 'ok', extra: 1 }]) {
      const answer = await nameVersion(room.id, owner.token, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('validation-failed');
    }
    const bidi = await nameVersion(room.id, owner.token, { name: 'Final\u202Etxt.exe' });
    expect(bidi.status).toBe(400);
    expect(bidi.body.error.code).toBe('invalid-name');
    // Control characters and angle brackets are removed, as from room names.
    const cleaned = await nameVersion(room.id, owner.token, { name: 'Q3\u0007 <plan>' });
    expect(cleaned.status).toBe(201);
    expect(cleaned.body.name).toBe('Q3 plan');
    expect((await list(room.id, owner.token)).filter((v) => v.name !== null)).toHaveLength(1);
  });

  it('limits how fast one user names versions (429)', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    expect((await nameVersion(room.id, owner.token, { name: 'one' })).status).toBe(201);
    expect((await nameVersion(room.id, owner.token, { name: 'two' })).status).toBe(201);
    const third = await nameVersion(room.id, owner.token, { name: 'three' });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate-limited');
  });
});

describe('pruning and authors of automatic versions', () => {
  it('never prunes named versions; keeps the newest SNAPSHOT_KEEP_VERSIONS of the others', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const newest = async () => (await list(room.id, owner.token))[0]?.version ?? 0;

    putRecord(writer.doc, room.id, 'shape:1', {});
    await acknowledged(writer);
    await vi.waitFor(async () => expect(await newest()).toBe(1), { timeout: 5000 });
    const named = await nameVersion(room.id, owner.token, { name: 'Milestone' });
    expect(named.body.version).toBe(2);
    for (let i = 2; i <= 6; i++) {
      putRecord(writer.doc, room.id, `shape:${i}`, {});
      await acknowledged(writer);
      await vi.waitFor(async () => expect(await newest()).toBe(i + 1), { timeout: 5000 });
    }

    const versions = await list(room.id, owner.token);
    expect(versions.map((v) => [v.version, v.name])).toEqual([
      [7, null],
      [6, null],
      [5, null],
      [2, 'Milestone'],
    ]);
    expect(await recordsOf(room.id, 2)).toEqual(['shape:1']);
    // Automatic versions name the user whose change they store.
    expect(versions[0]!.createdBy).toEqual({ id: owner.user.id, name: 'Owner' });
    // Every version still contains its predecessor, the named one included.
    await expectVersionsDominate(server.database.db, room.id);
    writer.destroy();
  });

  it('credits a REST document change to its caller, and a restore to the owner who restored', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const bot = await guest(server.url, 'Bot');
    const page = { id: 'page:page', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} };
    expect((await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, { token: bot.token, body: { put: [page] } })).status).toBe(
      200,
    );
    await vi.waitFor(async () => expect((await list(room.id, owner.token))[0]?.createdBy?.id).toBe(bot.user.id), { timeout: 5000 });
    const [first] = await list(room.id, owner.token);

    const restored = await call(server.url, 'POST', `/api/rooms/${room.id}/snapshots/${first!.version}/restore`, { token: owner.token });
    expect(restored.status).toBe(200);
    const [latest] = await list(room.id, owner.token);
    expect(latest!.version).toBe(restored.body.version);
    expect(latest!.createdBy).toEqual({ id: owner.user.id, name: 'Owner' });
  });
});
