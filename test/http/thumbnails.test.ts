import { describe, expect, it, vi } from 'vitest';
import { thumbnailKey, versionPreviewKey } from '../../src/export-jobs/index.ts';
import { writeBoardToYDoc } from '../../src/render/index.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, syncedProvider } from '../helpers/provider.ts';
import { expectFolderListing } from '../helpers/file-store-listing.ts';
import { useTestServer } from '../helpers/server.ts';
import { decodePng, fixtureFile, geo } from '../render/helpers.ts';

// Few versions kept, so pruning (and the previews that go with it) is quick to reach.
const server = useTestServer({ env: { THUMBNAIL_DEBOUNCE_MS: '100', SNAPSHOT_KEEP_VERSIONS: '2' } });

async function thumbnail(roomId: string, token?: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/api/rooms/${roomId}/thumbnail`, {
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Whether the room's thumbnail is in the file store (rendered without anyone asking). */
const stored = async (roomId: string) => (await server.exports.files.get(thumbnailKey(roomId))) !== undefined;

describe('GET /api/rooms/:roomId/thumbnail', () => {
  it('is a PNG of the first page at most 512 px wide, with an ETag that answers 304', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    // The fixture board is 1644 × 1084: scaled down to 512 wide.
    writeBoardToYDoc(writer.doc, room.id, fixtureFile());
    await acknowledged(writer);

    const first = await thumbnail(room.id, owner.token);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const png = decodePng(first.bytes);
    expect(png.width).toBe(512);
    expect(png.height).toBe(Math.round((1084 * 512) / 1644));
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await thumbnail(room.id, owner.token, { 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.bytes.byteLength).toBe(0);
    expect((await thumbnail(room.id, owner.token, { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('is rendered again in the background once changes stop, within 15 s', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(writer.doc, room.id, 'page:p', { typeName: 'page', name: 'Page 1', index: 'a1', meta: {} });
    await acknowledged(writer);
    // Nobody asked for it: the debounced refresh rendered and stored it.
    await vi.waitFor(async () => expect(await stored(room.id)).toBe(true), { timeout: 15_000 });
    const before = await thumbnail(room.id, owner.token);

    putRecord(writer.doc, room.id, 'shape:box', geo('box', 0, 0, { w: 400, h: 300, fill: 'fill', color: 'red' }));
    await acknowledged(writer);
    const started = Date.now();
    const after = await vi.waitFor(
      async () => {
        const now = await thumbnail(room.id, owner.token, { 'if-none-match': before.headers.get('etag')! });
        expect(now.status).toBe(200);
        return now;
      },
      { timeout: 15_000, interval: 50 },
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    // The red box fills the middle of the new picture.
    const png = decodePng(after.bytes);
    const i = (png.width * Math.floor(png.height / 2) + Math.floor(png.width / 2)) * 4;
    expect(png.data[i]!).toBeGreaterThan(150);
    expect(png.data[i + 1]!).toBeLessThan(150);
  });

  it('is readable as the room: anyone for an open room, members otherwise', async () => {
    const open = await roomWithOwner(server.url, { visibility: 'public' });
    expect((await thumbnail(open.room.id)).status).toBe(200);

    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const stranger = await guest(server.url);
    expect((await thumbnail(room.id)).status).toBe(401);
    expect((await thumbnail(room.id, stranger.token)).status).toBe(403);
    expect((await thumbnail(room.id, owner.token)).status).toBe(200);
    // An <img> on the boards page cannot send a header: `?token=` works too, a bad one never.
    expect((await fetch(`${server.url}/api/rooms/${room.id}/thumbnail?token=${owner.token}`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/rooms/${room.id}/thumbnail?token=${stranger.token}`)).status).toBe(403);
    expect((await fetch(`${server.url}/api/rooms/${room.id}/thumbnail?token=forged`)).status).toBe(401);
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'viewer' } });
    await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: stranger.token, body: { invite: invite.body.token } });
    expect((await thumbnail(room.id, stranger.token)).status).toBe(200);

    // A password room's board is for those who know the password, even though the room is public.
    const locked = await roomWithOwner(server.url, { visibility: 'public', password: 'open sesame' });
    expect((await thumbnail(locked.room.id)).status).toBe(401);
    expect((await thumbnail(locked.room.id, stranger.token)).status).toBe(403);

    expect((await thumbnail('nosuchroom', owner.token)).status).toBe(404);
  });

  it('goes with its room', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    expect((await thumbnail(room.id, owner.token)).status).toBe(200);
    expect(await stored(room.id)).toBe(true);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await stored(room.id)).toBe(false));
  });
});

describe('GET /api/rooms/:roomId/snapshots/:version/preview', () => {
  async function preview(roomId: string, version: number | string, token?: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${server.url}/api/rooms/${roomId}/snapshots/${version}/preview`, {
      headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
  }
  /** The red and green channels of the picture's centre. */
  const centre = (bytes: Uint8Array) => {
    const png = decodePng(bytes);
    const i = (png.width * Math.floor(png.height / 2) + Math.floor(png.width / 2)) * 4;
    return { red: png.data[i]!, green: png.data[i + 1]!, blue: png.data[i + 2]! };
  };

  it('shows each stored version as it was, cached for good', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    putRecord(writer.doc, room.id, 'page:p', { typeName: 'page', name: 'Page 1', index: 'a1', meta: {} });
    putRecord(writer.doc, room.id, 'shape:box', geo('box', 0, 0, { w: 400, h: 300, fill: 'fill', color: 'red' }));
    await acknowledged(writer);
    const red = await call(server.url, 'POST', `/api/rooms/${room.id}/versions`, { token: owner.token, body: { name: 'Red' } });
    expect(red.status).toBe(201);
    putRecord(writer.doc, room.id, 'shape:box', geo('box', 0, 0, { w: 400, h: 300, fill: 'fill', color: 'blue' }));
    await acknowledged(writer);
    const blue = await call(server.url, 'POST', `/api/rooms/${room.id}/versions`, { token: owner.token, body: { name: 'Blue' } });

    const first = await preview(room.id, red.body.version, owner.token);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(decodePng(first.bytes).width).toBeLessThanOrEqual(512);
    expect(centre(first.bytes).red).toBeGreaterThan(150);
    expect(centre(first.bytes).blue).toBeLessThan(150);
    const later = await preview(room.id, blue.body.version, owner.token);
    expect(centre(later.bytes).blue).toBeGreaterThan(150);
    expect(centre(later.bytes).red).toBeLessThan(150);

    // Drawn once and kept: the same bytes again, and 304 for the ETag.
    const again = await preview(room.id, red.body.version, owner.token);
    expect(again.bytes).toEqual(first.bytes);
    const etag = first.headers.get('etag')!;
    expect((await preview(room.id, red.body.version, owner.token, { 'if-none-match': etag })).status).toBe(304);
    writer.destroy();
  });

  it('goes once its version is pruned', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const versionsNow = async () =>
      ((await call(server.url, 'GET', `/api/rooms/${room.id}/snapshots`, { token: owner.token })).body as Array<{ version: number }>).map(
        (stored) => stored.version,
      );
    const change = async (x: number) => {
      const before = (await versionsNow())[0] ?? 0;
      putRecord(writer.doc, room.id, 'shape:box', geo('box', x, 0));
      await acknowledged(writer);
      await vi.waitFor(async () => expect((await versionsNow())[0]).toBeGreaterThan(before), { timeout: 15_000 });
    };
    await change(0);
    const [first] = await versionsNow();
    expect((await preview(room.id, first!, owner.token)).status).toBe(200);
    const stored = async (version: number) => (await server.exports.files.get(versionPreviewKey(room.id, version))) !== undefined;
    expect(await stored(first!)).toBe(true);

    await change(100);
    await change(200);
    expect(await versionsNow()).not.toContain(first);
    const [newest] = await versionsNow();
    expect((await preview(room.id, newest!, owner.token)).status).toBe(200);
    expect(await stored(newest!)).toBe(true);
    expect(await stored(first!)).toBe(false);
    writer.destroy();
  });

  it('is for whoever may open the room, and says what is wrong otherwise', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const named = await call(server.url, 'POST', `/api/rooms/${room.id}/versions`, { token: owner.token, body: { name: 'Empty' } });
    const stranger = await guest(server.url);
    expect((await preview(room.id, named.body.version)).status).toBe(401);
    expect((await preview(room.id, named.body.version, stranger.token)).status).toBe(403);
    expect((await preview(room.id, named.body.version, 'forged')).status).toBe(401);
    // An <img> sends no header: `?token=` works too.
    expect((await fetch(`${server.url}/api/rooms/${room.id}/snapshots/${named.body.version}/preview?token=${owner.token}`)).status).toBe(
      200,
    );

    const unknown = await preview(room.id, named.body.version + 1000, owner.token);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(new TextDecoder().decode(unknown.bytes)).error.code).toBe('version-not-found');
    expect((await preview(room.id, 'latest', owner.token)).status).toBe(400);
    expect((await preview(room.id, 0, owner.token)).status).toBe(400);
    expect((await preview('nosuchroom', 1, owner.token)).status).toBe(404);
  });
});

describe('the local file store', () => {
  it('lists the files directly in a folder, with keys as the other calls take them', async () => {
    expect(server.exports.files.kind).toBe('local');
    await expectFolderListing(server.exports.files);
  });
});
