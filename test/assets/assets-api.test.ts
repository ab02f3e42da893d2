import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { useTestServer } from '../helpers/server.ts';
import { fetchAsset, mp4Bytes, noisePng, SVG, solidPng, upload } from './helpers.ts';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const securityEvents = (type: string, roomId: string) =>
  lines.filter((line) => line.event === 'security' && line.type === type && line.roomId === roomId);

const MAX_ASSET_BYTES = 100 * 1024;
const MAX_ROOM_ASSET_BYTES = 200 * 1024;
const server = useTestServer({
  // A burst of 5 uploads per user (a sixth of the hourly allowance).
  env: { MAX_ASSET_BYTES: String(MAX_ASSET_BYTES), MAX_ROOM_ASSET_BYTES: String(MAX_ROOM_ASSET_BYTES), ASSET_UPLOADS_PER_HOUR: '30' },
  overrides: { log: pino({ level: 'info' }, sink) },
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const assetDir = (roomId: string) => path.join(server.storage.dataDir, 'assets', roomId);
const rowsOf = (roomId: string) =>
  queryRows<{ id: string; size: string | number }>(server.database.db, sql`SELECT id, size FROM assets WHERE room_id = ${roomId}`);

async function join(roomId: string, token: string, body: Record<string, string> = {}) {
  const answer = await call(server.url, 'POST', `/api/rooms/${roomId}/join`, { token, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as { token: string; role: string };
}

/** A member of the room with that role, through an invite: their user and room tokens. */
async function member(roomId: string, ownerToken: string, role: 'editor' | 'viewer') {
  const invite = await call(server.url, 'POST', `/api/rooms/${roomId}/invite`, { token: ownerToken, body: { role } });
  const user = await guest(server.url, `A ${role}`);
  const { token } = await join(roomId, user.token, { invite: invite.body.token });
  return { user, roomToken: token };
}

describe('POST /api/rooms/:roomId/assets', () => {
  it('stores an image once per room under the SHA-256 of its bytes, with its size, and answers the URL to keep in the record', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const png = await solidPng(40, 30);
    const first = await upload(server.url, room.id, owner.token, png, 'image/png');
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toEqual({
      id: sha256(png),
      sha256: sha256(png),
      url: `${server.url.replace('127.0.0.1', 'localhost')}/api/rooms/${room.id}/assets/${sha256(png)}`,
      mimeType: 'image/png',
      size: png.byteLength,
      width: 40,
      height: 30,
    });

    // Same bytes, a lying Content-Type, as a form this time: the same asset, stored once.
    const form = new FormData();
    form.append('file', new Blob([png as Uint8Array<ArrayBuffer>], { type: 'text/plain' }), 'picture.txt');
    const again = await fetch(`${server.url}/api/rooms/${room.id}/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}` },
      body: form,
    });
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(first.body);
    expect(await rowsOf(room.id)).toHaveLength(1);
    expect(readdirSync(assetDir(room.id))).toEqual([sha256(png)]);
    expect(readdirSync(path.join(assetDir(room.id), sha256(png)))).toEqual(['original']);
  });

  it('types every allowed kind by its bytes: JPEG (oriented size), GIF, WebP, AVIF, SVG, MP4, WebM', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const base = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#0a0' } });
    // EXIF orientation 6 (turned a quarter): browsers show it 30 wide and 40 high.
    const cases: Array<[Uint8Array, string, { width?: number; height?: number }]> = [
      [new Uint8Array(await base().jpeg().withMetadata({ orientation: 6 }).toBuffer()), 'image/jpeg', { width: 30, height: 40 }],
      [new Uint8Array(await base().gif().toBuffer()), 'image/gif', { width: 40, height: 30 }],
      [new Uint8Array(await base().webp().toBuffer()), 'image/webp', { width: 40, height: 30 }],
      [new Uint8Array(await base().avif().toBuffer()), 'image/avif', { width: 40, height: 30 }],
      [new TextEncoder().encode(SVG), 'image/svg+xml', { width: 50, height: 20 }],
      [mp4Bytes(2000), 'video/mp4', {}],
      [WEBM_HEADER, 'video/webm', {}],
    ];
    // Two users: one user's burst is 5 uploads.
    const editor = await member(room.id, owner.token, 'editor');
    for (const [index, [bytes, mimeType, size]] of cases.entries()) {
      const answer = await upload(server.url, room.id, index < 4 ? owner.token : editor.roomToken, bytes);
      expect(answer.status, `${mimeType}: ${JSON.stringify(answer.body)}`).toBe(201);
      expect(answer.body.mimeType).toBe(mimeType);
      expect(answer.body.width).toBe(size.width);
      expect(answer.body.height).toBe(size.height);
    }
  });

  it('415 for bytes that are not an allowed type, whatever the Content-Type says, with a security event', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const text = await upload(server.url, room.id, owner.token, new TextEncoder().encode('just some text'), 'image/png');
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe('unsupported-media-type');
    const html = await upload(server.url, room.id, owner.token, new TextEncoder().encode('<html><svg></svg></html>'), 'image/svg+xml');
    expect(html.status).toBe(415);
    // A PNG signature over garbage is no image either.
    const broken = await solidPng(10, 10);
    const truncated = await upload(server.url, room.id, owner.token, broken.subarray(0, 40), 'image/png');
    expect(truncated.status).toBe(415);
    expect(await rowsOf(room.id)).toEqual([]);
    expect(securityEvents('upload-refused', room.id)).toHaveLength(3);
    expect(securityEvents('upload-refused', room.id)[0]).toMatchObject({ ip: '127.0.0.1', reason: 'type not allowed' });
  });

  it('400 for an empty body or a form without a file', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const empty = await upload(server.url, room.id, owner.token, new Uint8Array(0));
    expect(empty.status).toBe(400);
    const form = new FormData();
    form.append('note', 'no file here');
    const answer = await fetch(`${server.url}/api/rooms/${room.id}/assets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}` },
      body: form,
    });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('invalid-upload');
  });

  it('owners and editors upload (user or room token); viewers, strangers and invites cannot; 401 without a token, 404 for no room', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const editor = await member(room.id, owner.token, 'editor');
    const viewer = await member(room.id, owner.token, 'viewer');
    const stranger = await guest(server.url, 'Stranger');
    const png = await solidPng(8, 8, '#123456');
    expect((await upload(server.url, room.id, editor.user.token, png)).status).toBe(201);
    expect((await upload(server.url, room.id, editor.roomToken, png)).status).toBe(201);
    const asViewer = await upload(server.url, room.id, viewer.roomToken, png);
    expect(asViewer.status).toBe(403);
    expect(asViewer.body.error.code).toBe('read-only');
    expect((await upload(server.url, room.id, viewer.user.token, png)).status).toBe(403);
    expect((await upload(server.url, room.id, stranger.token, png)).status).toBe(403);
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'editor' } });
    expect((await upload(server.url, room.id, invite.body.token, png)).status).toBe(403);
    expect((await upload(server.url, room.id, undefined, png)).status).toBe(401);
    expect((await upload(server.url, room.id, 'not-a-token', png)).status).toBe(401);
    expect((await upload(server.url, 'no-such-room', owner.token, png)).status).toBe(404);

    // Anyone signed in edits an open room, so anyone may upload to it.
    const open = await roomWithOwner(server.url, { visibility: 'public' });
    expect((await upload(server.url, open.room.id, stranger.token, png)).status).toBe(201);
  });

  it('413 when Content-Length is over MAX_ASSET_BYTES, answered before the body is sent', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.includes('\r\n\r\n')) resolve(text);
      });
      socket.on('error', reject);
    });
    // The headers and a few bytes of a 10 MiB body, then nothing: the answer comes anyway.
    socket.write(
      `POST /api/rooms/${room.id}/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${owner.token}\r\n` +
        `Content-Type: image/png\r\nContent-Length: ${10 * 1024 * 1024}\r\n\r\n\x89PNG`,
    );
    const head = await answer;
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(securityEvents('upload-refused', room.id).at(-1)).toMatchObject({ reason: expect.stringContaining('MAX_ASSET_BYTES') });
  });

  it('413 for a body without a length as soon as it passes MAX_ASSET_BYTES, with the rest never read', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    // The server closes once it has answered; writing after that is the client's problem.
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/rooms/${room.id}/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${owner.token}\r\n` +
        'Content-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    // Up to 50 MiB in 16 KiB chunks, one per turn of the event loop, while no answer has come.
    const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 1), Buffer.from('\r\n')]);
    let sent = 0;
    while (!answer.includes('\r\n\r\n') && sent < 50 * 1024 * 1024 && !socket.destroyed) {
      socket.write(chunk);
      sent += 0x4000;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await vi.waitFor(() => expect(answer).toMatch(/^HTTP\/1\.1 413 /));
    socket.destroy();
    // The answer came right after the limit, long before 50 MiB.
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    expect(await rowsOf(room.id)).toEqual([]);
  });

  it('413 past the room quota (MAX_ROOM_ASSET_BYTES); uploading stored bytes again costs nothing', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    // Incompressible: about 3 bytes a pixel, so each is ~80 KiB.
    const first = await noisePng(160, 170);
    const second = await noisePng(160, 170);
    const third = await noisePng(160, 170);
    expect((await upload(server.url, room.id, owner.token, first)).status).toBe(201);
    expect((await upload(server.url, room.id, owner.token, second)).status).toBe(201);
    const over = await upload(server.url, room.id, owner.token, third);
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('room-quota-exceeded');
    expect(securityEvents('upload-refused', room.id).at(-1)).toMatchObject({ reason: expect.stringContaining('MAX_ROOM_ASSET_BYTES') });
    expect((await upload(server.url, room.id, owner.token, first)).status).toBe(201);
    expect((await rowsOf(room.id)).map((row) => row.id).sort()).toEqual([sha256(first), sha256(second)].sort());
    expect(readdirSync(assetDir(room.id)).sort()).toEqual([sha256(first), sha256(second)].sort());
  });

  it('429 past the per-user upload allowance, with a security event; other users are unaffected', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await upload(server.url, room.id, owner.token, await solidPng(4, 4 + i))).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    expect(securityEvents('rate-limited', room.id).at(-1)).toMatchObject({ userId: owner.user.id, reason: 'asset uploads' });
    const someoneElse = await guest(server.url, 'Other');
    expect((await upload(server.url, room.id, someoneElse.token, await solidPng(4, 20))).status).toBe(201);
  });
});

describe('GET /api/rooms/:roomId/assets/:assetId', () => {
  it('members read with a bearer or ?token= (user or room token); others get 401 or 403', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const viewer = await member(room.id, owner.token, 'viewer');
    const stranger = await guest(server.url, 'Stranger');
    const png = await solidPng(20, 10);
    const { body } = await upload(server.url, room.id, owner.token, png);
    const url: string = body.url.replace(/^http:\/\/localhost:/, 'http://127.0.0.1:');

    const asOwner = await fetchAsset(url, { token: owner.token });
    expect(asOwner.status).toBe(200);
    expect(Buffer.from(asOwner.bytes).equals(Buffer.from(png))).toBe(true);
    expect(asOwner.headers.get('content-type')).toBe('image/png');
    expect(asOwner.headers.get('content-length')).toBe(String(png.byteLength));
    expect((await fetchAsset(url, { token: viewer.user.token })).status).toBe(200);
    expect((await fetchAsset(`${url}?token=${viewer.roomToken}`)).status).toBe(200);
    expect((await fetchAsset(`${url}?token=${owner.token}`)).status).toBe(200);

    expect((await fetchAsset(url)).status).toBe(401);
    expect((await fetchAsset(`${url}?token=garbage`)).status).toBe(401);
    expect((await fetchAsset(url, { token: stranger.token })).status).toBe(403);
    expect((await fetchAsset(`${url}?token=${stranger.token}`)).status).toBe(403);
    // A room token opens its own room only.
    const other = await roomWithOwner(server.url, { visibility: 'public' });
    const otherToken = (await join(other.room.id, viewer.user.token)).token;
    expect((await fetchAsset(`${url}?token=${otherToken}`)).status).toBe(403);
    expect((await fetchAsset(`${server.url}/api/rooms/${room.id}/assets/${'0'.repeat(64)}`, { token: owner.token })).status).toBe(404);
    expect((await fetchAsset(`${server.url}/api/rooms/${room.id}/assets/not-an-id`, { token: owner.token })).status).toBe(404);
    expect((await fetchAsset(`${server.url}/api/rooms/nope/assets/${body.id}`, { token: owner.token })).status).toBe(404);
    // An asset of one room is not served through another room.
    expect((await fetchAsset(`${server.url}/api/rooms/${other.room.id}/assets/${body.id}`)).status).toBe(404);
  });

  it('an open room serves anyone without a token; a public room with a password does not', async () => {
    const open = await roomWithOwner(server.url, { visibility: 'public' });
    const guarded = await roomWithOwner(server.url, { visibility: 'public', password: 'secret' });
    const png = await solidPng(6, 6);
    const a = await upload(server.url, open.room.id, open.owner.token, png);
    const b = await upload(server.url, guarded.room.id, guarded.owner.token, png);
    expect((await fetchAsset(`${server.url}/api/rooms/${open.room.id}/assets/${a.body.id}`)).status).toBe(200);
    expect((await fetchAsset(`${server.url}/api/rooms/${guarded.room.id}/assets/${b.body.id}`)).status).toBe(401);
  });

  it('ETag is the SHA-256, cached as immutable, and If-None-Match is 304', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const png = await solidPng(12, 12);
    const { body } = await upload(server.url, room.id, owner.token, png);
    const url = `${server.url}/api/rooms/${room.id}/assets/${body.id}`;
    const first = await fetchAsset(url);
    expect(first.headers.get('etag')).toBe(`"${sha256(png)}"`);
    expect(first.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(first.headers.get('content-security-policy')).not.toContain('sandbox');
    const cached = await fetchAsset(url, { headers: { 'if-none-match': `"${sha256(png)}"` } });
    expect(cached.status).toBe(304);
    expect(cached.bytes.byteLength).toBe(0);
    expect(cached.headers.get('etag')).toBe(`"${sha256(png)}"`);
    expect((await fetchAsset(url, { headers: { 'if-none-match': '"something-else"' } })).status).toBe(200);
  });

  it('serves byte ranges (206), suffixes and open ends, and 416 past the end', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const video = mp4Bytes(5000);
    const { body } = await upload(server.url, room.id, owner.token, video, 'video/mp4');
    expect(body.mimeType).toBe('video/mp4');
    const url = `${server.url}/api/rooms/${room.id}/assets/${body.id}`;
    const size = video.byteLength;

    const whole = await fetchAsset(url);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const part = await fetchAsset(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(part.bytes).equals(Buffer.from(video.subarray(100, 200)))).toBe(true);
    const tail = await fetchAsset(url, { headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(tail.bytes).equals(Buffer.from(video.subarray(size - 10)))).toBe(true);
    const rest = await fetchAsset(url, { headers: { range: `bytes=${size - 5}-` } });
    expect(rest.headers.get('content-range')).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    expect(rest.bytes.byteLength).toBe(5);
    const beyond = await fetchAsset(url, { headers: { range: `bytes=${size}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
    // Errors are never cached like the file is.
    expect(beyond.headers.get('cache-control')).toBeNull();
    // A stale If-Range gets the whole file.
    const stale = await fetchAsset(url, { headers: { range: 'bytes=0-9', 'if-range': '"old"' } });
    expect(stale.status).toBe(200);
    expect(stale.bytes.byteLength).toBe(size);
  });

  it('?w= resizes an image to at most that width (a power of two), never upscales, and keeps the variant', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const png = await noisePng(256, 96);
    const { body } = await upload(server.url, room.id, owner.token, png);
    const url = `${server.url}/api/rooms/${room.id}/assets/${body.id}`;

    const small = await fetchAsset(`${url}?w=200`);
    expect(small.status).toBe(200);
    expect(small.headers.get('content-type')).toBe('image/png');
    expect(small.headers.get('etag')).toBe(`"${body.id}-w128"`);
    const metadata = await sharp(small.bytes).metadata();
    expect([metadata.width, metadata.height]).toEqual([128, 48]);
    expect(readdirSync(path.join(assetDir(room.id), body.id)).sort()).toEqual(['original', 'w128']);
    // From the store the second time: the same bytes.
    const again = await fetchAsset(`${url}?w=255`);
    expect(Buffer.from(again.bytes).equals(Buffer.from(small.bytes))).toBe(true);
    expect((await fetchAsset(`${url}?w=200`, { headers: { 'if-none-match': `"${body.id}-w128"` } })).status).toBe(304);

    const large = await fetchAsset(`${url}?w=4000`);
    expect(large.headers.get('etag')).toBe(`"${body.id}"`);
    expect(Buffer.from(large.bytes).equals(Buffer.from(png))).toBe(true);
    for (const bad of ['0', '-3', 'abc', '100000', '1.5']) expect((await fetchAsset(`${url}?w=${bad}`)).status).toBe(400);
  });

  it('serves SVG with Content-Security-Policy: sandbox, and never resizes it', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const { body } = await upload(server.url, room.id, owner.token, new TextEncoder().encode(SVG), 'image/svg+xml');
    const answer = await fetchAsset(`${server.url}/api/rooms/${room.id}/assets/${body.id}?w=16`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/svg+xml');
    expect(answer.headers.get('content-security-policy')).toBe('sandbox');
    expect(new TextDecoder().decode(answer.bytes)).toBe(SVG);
  });
});

describe('deleting a room', () => {
  it('deletes its asset rows and files', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const { body } = await upload(server.url, room.id, owner.token, await noisePng(64, 64));
    await fetchAsset(`${server.url}/api/rooms/${room.id}/assets/${body.id}?w=32`, { token: owner.token });
    expect(existsSync(path.join(assetDir(room.id), body.id, 'w32'))).toBe(true);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    expect(await rowsOf(room.id)).toEqual([]);
    await vi.waitFor(() => expect(existsSync(assetDir(room.id))).toBe(false));
  });
});

// The start of a WebM file: an EBML header whose DocType is "webm", then a Segment.
const WEBM_HEADER = new Uint8Array([
  0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82,
  0x84, 0x77, 0x65, 0x62, 0x6d, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02, 0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
  0xff, 0xff,
]);
