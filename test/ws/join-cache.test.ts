import type { Document } from '@hocuspocus/server';
import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { readSyncStep1 } from 'y-protocols/sync';
import { JoinCache } from '../../extensions/join-cache.ts';
import { FullStateCache } from '../../src/documents/full-state-cache.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { startTestServer, useTestServer } from '../helpers/server.ts';
import { createTestStorage } from '../helpers/db.ts';
import { queryRows } from '../../src/db/rows.ts';
import { note, page } from '../helpers/tldraw-records.ts';

const EMPTY_STATE_VECTOR = new Uint8Array([0]);

/** A SyncStep1 payload as it arrives: the state vector, length-prefixed. */
function encodeVector(vector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint8Array(encoder, vector);
  return encoding.toUint8Array(encoder);
}

function removeRecord(doc: Y.Doc, roomId: string, id: string): void {
  const records = doc.getArray<{ key: string }>(`tl_${roomId}`);
  const index = records.toArray().findIndex((entry) => entry.key === id);
  if (index === -1) throw new Error(`${id} is not on the board`);
  records.delete(index, 1);
}

/** The state a client would hold after syncing with this one: same structs, same deletions. */
function sameState(a: Y.Doc, b: Y.Doc): void {
  expect(Y.encodeStateVector(a)).toEqual(Y.encodeStateVector(b));
  expect(Y.encodeSnapshot(Y.snapshot(a))).toEqual(Y.encodeSnapshot(Y.snapshot(b)));
}

describe('join cache: joiners are answered from one encoding per document version', () => {
  const server = useTestServer();
  const loaded = (roomId: string) => server.hocuspocus.documents.get(roomId)!;
  const joinCacheOf = (document: Document) =>
    server.hocuspocus.configuration.extensions
      .find((extension): extension is JoinCache => extension instanceof JoinCache)!
      .cacheOf(document);

  it('joiners at once all get the full, current board, from one shared encoding', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const editor = await syncedProvider(server.wsUrl, room.id, owner.token);
    for (let i = 0; i < 20; i++) putRecord(editor.doc, room.id, `shape:s${i}`, { typeName: 'shape', x: i });
    removeRecord(editor.doc, room.id, 'shape:s3');
    await acknowledged(editor);

    const tokens = await Promise.all(Array.from({ length: 6 }, (_, i) => guest(server.url, `Joiner ${i}`)));
    const joiners = await Promise.all(tokens.map(({ token }) => syncedProvider(server.wsUrl, room.id, token)));
    const expected = recordIds(editor.doc, room.id);
    expect(expected).toHaveLength(19);
    for (const joiner of joiners) {
      expect(recordIds(joiner.doc, room.id)).toEqual(expected);
      sameState(joiner.doc, loaded(room.id));
    }
    // A joiner's own SyncStep2 (empty) changes nothing: the same bytes stay held and served.
    const cache = joinCacheOf(loaded(room.id))!;
    expect(cache.holds).toBe(true);
    const held = cache.fullState();
    const another = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Another')).token);
    await acknowledged(another);
    expect(recordIds(another.doc, room.id)).toEqual(expected);
    expect(cache.fullState().buffer).toBe(held.buffer);
  });

  it('a joiner after a change gets the change: additions, deletions and REST edits', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const editor = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(editor.doc, room.id, 'shape:a', { typeName: 'shape' });
    putRecord(editor.doc, room.id, 'shape:b', { typeName: 'shape' });
    await acknowledged(editor);
    const first = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'First')).token);
    expect(recordIds(first.doc, room.id)).toEqual(['shape:a', 'shape:b']);

    // An addition.
    putRecord(editor.doc, room.id, 'shape:c', { typeName: 'shape' });
    await acknowledged(editor);
    const second = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Second')).token);
    expect(recordIds(second.doc, room.id)).toEqual(['shape:a', 'shape:b', 'shape:c']);

    // A deletion only: no new structs, the state vector stays the same.
    const before = Y.encodeStateVector(loaded(room.id));
    removeRecord(editor.doc, room.id, 'shape:a');
    await acknowledged(editor);
    expect(Y.encodeStateVector(loaded(room.id))).toEqual(before);
    const third = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Third')).token);
    expect(recordIds(third.doc, room.id)).toEqual(['shape:b', 'shape:c']);

    // A change made on the server itself (the REST document API), not by a connection.
    const patch = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
      token: owner.token,
      body: { put: [page, note('shape:n1', 'hi')] },
    });
    expect(patch.status).toBe(200);
    const fourth = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Fourth')).token);
    expect(recordIds(fourth.doc, room.id)).toEqual(['page:page', 'shape:b', 'shape:c', 'shape:n1']);
    sameState(fourth.doc, loaded(room.id));
    await vi.waitFor(() => expect(recordIds(first.doc, room.id)).toEqual(recordIds(fourth.doc, room.id)));
  });

  it('a joiner that already holds part of the board gets what it lacks, and keeps what it adds', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const editor = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(editor.doc, room.id, 'shape:old1', { typeName: 'shape' });
    putRecord(editor.doc, room.id, 'shape:old2', { typeName: 'shape' });
    await acknowledged(editor);
    // Someone fills the cache, then the tab that went offline here comes back later.
    await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Filler')).token);
    const returning = new Y.Doc();
    Y.applyUpdate(returning, Y.encodeStateAsUpdate(editor.doc));

    putRecord(editor.doc, room.id, 'shape:new', { typeName: 'shape' });
    removeRecord(editor.doc, room.id, 'shape:old1');
    await acknowledged(editor);
    putRecord(returning, room.id, 'shape:offline', { typeName: 'shape' });

    const back = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Back')).token, '', returning);
    await acknowledged(back);
    expect(recordIds(back.doc, room.id)).toEqual(['shape:new', 'shape:offline', 'shape:old2']);
    await vi.waitFor(() => expect(recordIds(editor.doc, room.id)).toEqual(['shape:new', 'shape:offline', 'shape:old2']));
    sameState(back.doc, loaded(room.id));
    // And a fresh joiner after that gets the offline change too.
    const fresh = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Fresh')).token);
    expect(recordIds(fresh.doc, room.id)).toEqual(['shape:new', 'shape:offline', 'shape:old2']);
  });

  it('a viewer joins from the cache and still cannot write', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'viewer' } });
    const joined = await call(server.url, 'POST', `/api/rooms/${room.id}/join`, {
      token: (await guest(server.url, 'Vic')).token,
      body: { invite: invite.body.token },
    });
    expect(joined.body.role).toBe('viewer');
    const editor = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(editor.doc, room.id, 'shape:owner', {});
    await acknowledged(editor);
    const viewers = await Promise.all([
      syncedProvider(server.wsUrl, room.id, joined.body.token),
      syncedProvider(server.wsUrl, room.id, joined.body.token),
    ]);
    for (const viewer of viewers) expect(recordIds(viewer.doc, room.id)).toEqual(['shape:owner']);

    putRecord(viewers[0].doc, room.id, 'shape:viewer', {});
    // A refused update is answered with a sync status; a later owner change arrives after it.
    putRecord(editor.doc, room.id, 'shape:owner2', {});
    await vi.waitFor(() => expect(recordIds(viewers[0].doc, room.id)).toContain('shape:owner2'));
    await acknowledged(editor);
    expect(recordIds(loaded(room.id), room.id)).toEqual(['shape:owner', 'shape:owner2']);
    const late = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(late.doc, room.id)).toEqual(['shape:owner', 'shape:owner2']);
  });

  it('the encoding is dropped when the room unloads', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const editor = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(editor.doc, room.id, 'shape:a', {});
    await acknowledged(editor);
    const joiner = await syncedProvider(server.wsUrl, room.id, (await guest(server.url, 'Joiner')).token);
    const document = loaded(room.id);
    const cache = joinCacheOf(document)!;
    expect(cache.holds).toBe(true);
    editor.destroy();
    joiner.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 10_000 });
    expect(cache.holds).toBe(false);
    expect(document.answerSyncStep1).toBeUndefined();
    expect(joinCacheOf(document)).toBeUndefined();
  });
});

describe('join cache after a restart (seeded from the stored snapshot; the seeding itself is checked in FullStateCache below)', () => {
  it('serves the board loaded from one snapshot, then every change made after the load', async () => {
    const storage = await createTestStorage('postgres');
    onTestFinished(() => storage.drop());
    const first = await startTestServer({ storage });
    const { owner, room } = await roomWithOwner(first.url, { visibility: 'public' });
    const writer = await syncedProvider(first.wsUrl, room.id, owner.token);
    for (let i = 0; i < 5; i++) putRecord(writer.doc, room.id, `shape:s${i}`, { x: i });
    await acknowledged(writer);
    writer.destroy();
    await first.close(); // stores a snapshot that holds the whole log

    const second = await startTestServer({ storage });
    onTestFinished(() => second.close());
    const [{ data: stored }] = await queryRows<{ data: Buffer }>(
      second.database.db,
      sql`SELECT snapshot_data AS data FROM room_snapshots WHERE room_id = ${room.id} ORDER BY version DESC LIMIT 1`,
    );
    const reader = await syncedProvider(second.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toEqual(['shape:s0', 'shape:s1', 'shape:s2', 'shape:s3', 'shape:s4']);
    const document = second.hocuspocus.documents.get(room.id)!;
    const cache = second.hocuspocus.configuration.extensions
      .find((extension): extension is JoinCache => extension instanceof JoinCache)!
      .cacheOf(document)!;
    expect(Buffer.from(cache.fullState()).equals(stored!)).toBe(true);

    removeRecord(reader.doc, room.id, 'shape:s1');
    putRecord(reader.doc, room.id, 'shape:after', { x: 9 });
    await acknowledged(reader);
    const later = await syncedProvider(second.wsUrl, room.id, (await guest(second.url, 'Later')).token);
    expect(recordIds(later.doc, room.id)).toEqual(['shape:after', 'shape:s0', 'shape:s2', 'shape:s3', 'shape:s4']);
    sameState(later.doc, document);
  });
});

describe('FullStateCache', () => {
  function board(): Y.Doc {
    const doc = new Y.Doc();
    doc.getArray('tl_board').push([{ key: 'shape:a' }, { key: 'shape:b' }]);
    return doc;
  }

  /** The reply frame to a SyncStep1 with `vector`, after what Hocuspocus writes first (`address`, Sync). */
  function answer(cache: FullStateCache, vector: Uint8Array, address = 'room'): { frame: Uint8Array; whole: boolean } {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, address);
    encoding.writeVarUint(encoder, 0);
    const whole = cache.answerSyncStep1(decoding.createDecoder(encodeVector(vector)), encoder);
    return { frame: whole ?? encoding.toUint8Array(encoder), whole: whole !== undefined };
  }

  function yProtocolsAnswer(doc: Y.Doc, vector: Uint8Array, address = 'room'): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, address);
    encoding.writeVarUint(encoder, 0);
    readSyncStep1(decoding.createDecoder(encodeVector(vector)), encoder, doc);
    return encoding.toUint8Array(encoder);
  }

  it('answers SyncStep1 exactly as y-protocols does, for empty and other state vectors and any address', () => {
    const doc = board();
    const other = new Y.Doc();
    other.getArray('tl_board').push([{ key: 'shape:big', val: 'x'.repeat(70_000) }]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
    const cache = new FullStateCache(doc);
    const cases: Array<[Uint8Array, string]> = [
      [EMPTY_STATE_VECTOR, 'room'],
      [Y.encodeStateVector(other), 'room'],
      [EMPTY_STATE_VECTOR, 'room'],
      [EMPTY_STATE_VECTOR, 'room\0session-a'], // a session-aware provider's address
      [EMPTY_STATE_VECTOR, 'room'],
    ];
    for (const [vector, address] of cases) {
      const ours = answer(cache, vector, address);
      expect(ours.whole).toBe(vector === EMPTY_STATE_VECTOR);
      expect(Buffer.from(ours.frame).equals(yProtocolsAnswer(doc, vector, address))).toBe(true);
    }
  });

  it('shares one reply frame among joiners, until the document changes', () => {
    const doc = board();
    const cache = new FullStateCache(doc);
    const first = answer(cache, EMPTY_STATE_VECTOR).frame;
    expect(answer(cache, EMPTY_STATE_VECTOR).frame).toBe(first);
    expect(cache.fullState()).toEqual(Y.encodeStateAsUpdate(doc));
    doc.getArray('tl_board').delete(0, 1);
    expect(cache.holds).toBe(false);
    const after = answer(cache, EMPTY_STATE_VECTOR).frame;
    expect(after).not.toBe(first);
    expect(Buffer.from(after).equals(yProtocolsAnswer(doc, EMPTY_STATE_VECTOR))).toBe(true);
  });

  it('serves seeded bytes (the stored state a document was loaded from) as they are, until the document changes', () => {
    const doc = board();
    const stored = Y.encodeStateAsUpdate(doc);
    const cache = new FullStateCache(doc);
    cache.seed(stored);
    expect(cache.fullState().buffer).toBe(stored.buffer);
    const reply = answer(cache, EMPTY_STATE_VECTOR).frame;
    expect(Buffer.from(reply).equals(yProtocolsAnswer(doc, EMPTY_STATE_VECTOR))).toBe(true);
    doc.getArray('tl_board').push([{ key: 'shape:c' }]);
    expect(cache.holds).toBe(false);
    expect(Buffer.from(answer(cache, EMPTY_STATE_VECTOR).frame).equals(yProtocolsAnswer(doc, EMPTY_STATE_VECTOR))).toBe(true);
  });

  it('keeps the encoding through transactions that change nothing (a joiner applying its empty SyncStep2)', () => {
    const doc = board();
    const cache = new FullStateCache(doc);
    const first = answer(cache, EMPTY_STATE_VECTOR).frame;
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(new Y.Doc())); // what a fresh provider answers with
    doc.transact(() => {});
    expect(answer(cache, EMPTY_STATE_VECTOR).frame).toBe(first);
  });

  it('drops the encoding when an update is only held as pending (no update event)', () => {
    const source = board();
    const doc = new Y.Doc();
    const cache = new FullStateCache(doc);
    const base = Y.encodeStateAsUpdate(source);
    const vector = Y.encodeStateVector(source);
    source.getArray('tl_board').push([{ key: 'shape:c' }]);
    const next = Y.encodeStateAsUpdate(source, vector);

    expect(cache.fullState()).toEqual(Y.encodeStateAsUpdate(doc));
    const updates: Uint8Array[] = [];
    doc.on('update', (update: Uint8Array) => updates.push(update));
    Y.applyUpdate(doc, next); // depends on `base`: Yjs keeps it pending
    expect(updates).toHaveLength(0);
    expect(doc.store.pendingStructs).not.toBeNull();
    expect(cache.holds).toBe(false);
    expect(cache.fullState()).toEqual(Y.encodeStateAsUpdate(doc));
    // More held back: Yjs merges it into the pending update it already has.
    const vector2 = Y.encodeStateVector(source);
    source.getArray('tl_board').push([{ key: 'shape:d' }]);
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source, vector2));
    expect(updates).toHaveLength(0);
    expect(cache.holds).toBe(false);
    const withMorePending = cache.fullState();
    expect(withMorePending).toEqual(Y.encodeStateAsUpdate(doc));
    const client = new Y.Doc();
    Y.applyUpdate(client, withMorePending);
    Y.applyUpdate(client, base);
    expect(client.getArray('tl_board').toJSON()).toEqual(source.getArray('tl_board').toJSON());
  });

  it('lets go of the encoding and stops listening when dropped', () => {
    const doc = board();
    const cache = new FullStateCache(doc);
    answer(cache, EMPTY_STATE_VECTOR);
    expect(cache.holds).toBe(true);
    cache.drop();
    expect(cache.holds).toBe(false);
    expect(doc._observers.get('afterTransactionCleanup')?.size ?? 0).toBe(0);
  });
});
