import { describe, expect, it, vi } from 'vitest';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, openProvider, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

// Three rooms at once per user (18 an hour: a burst of 3); forks count as room creations.
const server = useTestServer({ env: { ROOM_CREATIONS_PER_HOUR: '18' } });

const fork = (roomId: string, token: string | undefined, body: unknown = {}) =>
  call(server.url, 'POST', `/api/rooms/${roomId}/fork`, { token, body });

/** A room whose board holds `ids`, written by its owner's provider and acknowledged. */
async function boardWith(visibility: 'public' | 'private', ids: string[]) {
  const { owner, room } = await roomWithOwner(server.url, { name: 'Roadmap', visibility });
  const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
  for (const id of ids) putRecord(writer.doc, room.id, id, { typeName: 'shape' });
  await acknowledged(writer);
  return { owner, room, writer };
}

describe('POST /api/rooms/:roomId/fork', () => {
  it('makes a private room of the caller holding the board now, opened by a real provider', async () => {
    const { owner, room, writer } = await boardWith('private', ['shape:a', 'shape:b']);
    const answer = await fork(room.id, owner.token);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ name: 'Roadmap (fork)', visibility: 'private', hasPassword: false, ownerId: owner.user.id });
    expect(answer.body.id).not.toBe(room.id);

    const copy = await syncedProvider(server.wsUrl, answer.body.id, owner.token);
    expect(recordIds(copy.doc, answer.body.id)).toEqual(['shape:a', 'shape:b']);
    // Two boards from now on: a change to the fork stays in the fork.
    putRecord(copy.doc, answer.body.id, 'shape:only-in-fork', { typeName: 'shape' });
    await acknowledged(copy);
    putRecord(writer.doc, room.id, 'shape:only-in-source', { typeName: 'shape' });
    await acknowledged(writer);
    const reread = await syncedProvider(server.wsUrl, answer.body.id, owner.token);
    expect(recordIds(reread.doc, answer.body.id)).toEqual(['shape:a', 'shape:b', 'shape:only-in-fork']);
    expect(recordIds(writer.doc, room.id)).toEqual(['shape:a', 'shape:b', 'shape:only-in-source']);

    const versions = await call(server.url, 'GET', `/api/rooms/${answer.body.id}/snapshots`, { token: owner.token });
    expect(versions.body[versions.body.length - 1]).toMatchObject({ version: 1, createdBy: { id: owner.user.id } });
  });

  it('lets anyone who can open the room fork it: the fork is theirs alone', async () => {
    const { owner, room } = await boardWith('public', ['shape:open']);
    const visitor = await guest(server.url, 'Visitor');
    const answer = await fork(room.id, visitor.token, { name: 'My copy' });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ name: 'My copy', ownerId: visitor.user.id, visibility: 'private' });

    const mine = await syncedProvider(server.wsUrl, answer.body.id, visitor.token);
    expect(recordIds(mine.doc, answer.body.id)).toEqual(['shape:open']);
    // The source's owner has no way into the visitor's private fork.
    const outsider = openProvider(server.wsUrl, answer.body.id, owner.token);
    await vi.waitFor(() => expect(outsider.failures).toEqual(['permission-denied']));
  });

  it('lets a viewer fork a private room they were invited to', async () => {
    const { owner, room } = await boardWith('private', ['shape:shared']);
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'viewer' } });
    const viewer = await guest(server.url, 'Vera');
    expect(
      (await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: viewer.token, body: { invite: invite.body.token } })).status,
    ).toBe(200);
    const answer = await fork(room.id, viewer.token);
    expect(answer.status).toBe(201);
    const mine = await syncedProvider(server.wsUrl, answer.body.id, viewer.token);
    expect(recordIds(mine.doc, answer.body.id)).toEqual(['shape:shared']);
  });

  it('forks a stored version instead of the board now', async () => {
    const { owner, room, writer } = await boardWith('private', ['shape:v1']);
    const named = await call(server.url, 'POST', `/api/rooms/${room.id}/versions`, { token: owner.token, body: { name: 'v1' } });
    expect(named.status).toBe(201);
    putRecord(writer.doc, room.id, 'shape:later', { typeName: 'shape' });
    await acknowledged(writer);

    const answer = await fork(room.id, owner.token, { version: named.body.version, name: 'Back to v1' });
    expect(answer.status).toBe(201);
    const copy = await syncedProvider(server.wsUrl, answer.body.id, owner.token);
    expect(recordIds(copy.doc, answer.body.id)).toEqual(['shape:v1']);
  });

  it('forks a room no instance has loaded, from its snapshot and log', async () => {
    const { owner, room, writer } = await boardWith('private', ['shape:stored']);
    writer.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 10_000 });
    const answer = await fork(room.id, owner.token);
    expect(answer.status).toBe(201);
    const copy = await syncedProvider(server.wsUrl, answer.body.id, owner.token);
    expect(recordIds(copy.doc, answer.body.id)).toEqual(['shape:stored']);
  });

  it('answers 422 for a version whose bytes are not a board', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const version = await new SnapshotStore(server.database.db).append(room.id, new Uint8Array([9, 9, 9, 9]), new Uint8Array([0]));
    const answer = await fork(room.id, owner.token, { version });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('board-unreadable');
  });

  it('answers 400, 401, 403, 404 and 429', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    for (const body of [{ name: '' }, { name: 'x'.repeat(101) }, { version: 0 }, { version: 'latest' }, { extra: true }]) {
      const answer = await fork(room.id, owner.token, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
    }
    expect((await fork(room.id, owner.token, { name: 'Evil\u202Egnp.exe' })).body.error.code).toBe('invalid-name');
    expect((await fork(room.id, undefined)).status).toBe(401);
    const stranger = await guest(server.url);
    expect((await fork(room.id, stranger.token)).status).toBe(403);
    const withPassword = await roomWithOwner(server.url, { visibility: 'public', password: 'secret words' });
    expect((await fork(withPassword.room.id, stranger.token)).status).toBe(403);
    expect((await fork('nosuchroom', owner.token)).status).toBe(404);
    const noVersion = await fork(room.id, owner.token, { version: 99 });
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error.code).toBe('version-not-found');

    // The owner created one room and tried one fork of a missing version; one more, then the allowance is spent.
    expect((await fork(room.id, owner.token)).status).toBe(201);
    const spent = await fork(room.id, owner.token);
    expect(spent.status).toBe(429);
    expect(spent.body.error.code).toBe('rate-limited');
  });
});
