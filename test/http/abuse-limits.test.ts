import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/db/rows.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { startTestServer, useTestServer } from '../helpers/server.ts';

const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const securityEvents = (type: string) => lines.filter((line) => line.event === 'security' && line.type === type);

const server = useTestServer({
  // Bursts: 2 rooms and 1 export per user (a sixth of the hourly allowance).
  env: { ROOM_CREATIONS_PER_HOUR: '12', EXPORTS_PER_HOUR: '6' },
  overrides: { log: pino({ level: 'info' }, sink), exports: { sweepIntervalMs: 200 } },
});

const join = (baseUrl: string, roomId: string, token: string, body: unknown, forwardedFor?: string) =>
  call(baseUrl, 'POST', `/api/rooms/${roomId}/join`, { token, body, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });

describe('X-Forwarded-For and password attempts', () => {
  it('without TRUSTED_PROXIES the header is ignored: rotating it does not buy more password attempts', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'private', password: 'pw' });
    const someone = await guest(server.url, 'Rotor');
    const statuses: number[] = [];
    // No password: each attempt counts without a bcrypt comparison.
    for (let i = 0; i < 11; i++) statuses.push((await join(server.url, room.id, someone.token, {}, `203.0.113.${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(403));
    expect(statuses[10]).toBe(429);
    const limited = securityEvents('rate-limited').filter((event) => event.roomId === room.id);
    expect(limited.at(-1)).toMatchObject({ ip: '127.0.0.1', reason: 'password attempts' });
  });

  it('behind a trusted proxy the client is the forwarded address, and a room takes 50 attempts at most whoever asks', async () => {
    const log: Array<Record<string, unknown>> = [];
    const proxied = await startTestServer({
      env: { TRUSTED_PROXIES: '127.0.0.1/32' },
      overrides: {
        log: pino(
          { level: 'info' },
          new Writable({
            write(chunk, _encoding, done) {
              for (const line of chunk.toString().split('\n').filter(Boolean)) log.push(JSON.parse(line));
              done();
            },
          }),
        ),
      },
    });
    try {
      const { room } = await roomWithOwner(proxied.url, { visibility: 'private', password: 'pw' });
      const someone = await guest(proxied.url, 'Many');
      const statuses: number[] = [];
      for (let i = 0; i < 51; i++) statuses.push((await join(proxied.url, room.id, someone.token, {}, `198.51.100.${i}`)).status);
      // Every address had attempts left; the room did not.
      expect(statuses.slice(0, 50).every((status) => status === 403)).toBe(true);
      expect(statuses[50]).toBe(429);
      const wrong = await join(proxied.url, room.id, someone.token, { password: 'nope' }, '192.0.2.7');
      expect(wrong.status).toBe(429);
      const event = log.filter((line) => line.event === 'security' && line.type === 'rate-limited').at(-1);
      expect(event).toMatchObject({ ip: '192.0.2.7', roomId: room.id });
    } finally {
      await proxied.close();
      await proxied.storage.drop();
    }
  }, 120_000);
});

describe('per-user limits', () => {
  it('room creation: 429 in the error shape, with a security event', async () => {
    const maker = await guest(server.url, 'Maker');
    const create = () => call(server.url, 'POST', '/api/rooms', { token: maker.token, body: { name: 'R', visibility: 'private' } });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    const third = await create();
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate-limited');
    expect(securityEvents('rate-limited').at(-1)).toMatchObject({ userId: maker.user.id, reason: 'room creations' });
  });

  it('exports: 429 once the allowance is used, whatever the room', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const exporter = await guest(server.url, 'Exporter');
    expect((await call(server.url, 'POST', `/api/exports/${room.id}`, { token: exporter.token, body: { format: 'json' } })).status).toBe(
      202,
    );
    const second = await call(server.url, 'POST', `/api/exports/${room.id}`, { token: exporter.token, body: { format: 'svg' } });
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe('rate-limited');
    // Another user's allowance is their own.
    expect((await call(server.url, 'POST', `/api/exports/${room.id}`, { token: owner.token, body: { format: 'json' } })).status).toBe(202);
  });

  it('expired exports lose their rows and files (EXPORT_RETENTION_HOURS)', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'private' });
    const fresh = `${room.id}/fresh.json`;
    const old = `${room.id}/old.json`;
    await server.exports.files.put(fresh, new TextEncoder().encode('{}'), 'application/json');
    await server.exports.files.put(old, new TextEncoder().encode('{}'), 'application/json');
    const db = server.database.db;
    await queryRows(
      db,
      sql`INSERT INTO exports (room_id, format, status, file_key, created_at, completed_at) VALUES
          (${room.id}, 'json', 'completed', ${old}, now() - interval '200 hours', now() - interval '200 hours'),
          (${room.id}, 'json', 'completed', ${fresh}, now() - interval '1 hour', now() - interval '1 hour')`,
    );
    await vi.waitFor(
      async () => {
        const rows = await queryRows<{ file_key: string }>(db, sql`SELECT file_key FROM exports WHERE room_id = ${room.id}`);
        expect(rows.map((row) => row.file_key)).toEqual([fresh]);
        expect(await server.exports.files.get(old)).toBeUndefined();
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(await server.exports.files.get(fresh)).toBeDefined();
  });
});

describe('input limits', () => {
  it('settings over 16 KiB are 400', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const patch = (settings: unknown) => call(server.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { settings } });
    expect((await patch({ note: 'x'.repeat(16_000) })).status).toBe(200);
    const big = await patch({ note: 'x'.repeat(17_000) });
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('validation-failed');
  });

  it('GET /api/rooms pages with limit and before', async () => {
    const { owner, room: first } = await roomWithOwner(server.url, { name: 'First' });
    const second = await call(server.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'Second', visibility: 'private' } });
    const page1 = await call(server.url, 'GET', '/api/rooms?limit=1', { token: owner.token });
    expect(page1.body.map((r: { id: string }) => r.id)).toEqual([second.body.id]);
    const before = encodeURIComponent(page1.body[0].lastActive);
    const page2 = await call(server.url, 'GET', `/api/rooms?limit=1&before=${before}`, { token: owner.token });
    expect(page2.body.map((r: { id: string }) => r.id)).toEqual([first.id]);
    expect((await call(server.url, 'GET', '/api/rooms?limit=201', { token: owner.token })).status).toBe(400);
    expect((await call(server.url, 'GET', '/api/rooms?before=yesterday', { token: owner.token })).status).toBe(400);
  });

  it('names with bidi controls or zero-width characters are 400, with a security event; emoji sequences are fine', async () => {
    const spoof = await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'Eve\u202enimda' } });
    expect(spoof.status).toBe(400);
    expect(spoof.body.error.code).toBe('invalid-name');
    expect((await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'Ad\u200bmin' } })).status).toBe(400);
    expect(securityEvents('input-refused').length).toBeGreaterThanOrEqual(2);
    const { owner } = await roomWithOwner(server.url);
    const room = await call(server.url, 'POST', '/api/rooms', { token: owner.token, body: { name: 'x\u2066y', visibility: 'public' } });
    expect(room.status).toBe(400);
    expect((await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'Dev \u{1F469}\u200d\u{1F4BB}' } })).status).toBe(201);
  });

  it('sends a Content-Security-Policy: strict on the API, the whiteboard one elsewhere', async () => {
    const api = await fetch(`${server.url}/api/openapi.json`);
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const page = await fetch(`${server.url}/healthz`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('members and invites', () => {
  it('an invite with maxUses joins that many people; a revoked invite joins nobody; the owner sees uses', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const once = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { maxUses: 1 } });
    expect(once.body).toMatchObject({ id: expect.any(String), maxUses: 1, role: 'editor' });
    const revoked = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'viewer' } });
    const [first, second] = [await guest(server.url, 'One'), await guest(server.url, 'Two')];
    expect((await join(server.url, room.id, first.token, { invite: once.body.token })).status).toBe(200);
    // Coming back with the same link uses nothing up.
    expect((await join(server.url, room.id, first.token, { invite: once.body.token })).status).toBe(200);
    const usedUp = await join(server.url, room.id, second.token, { invite: once.body.token });
    expect(usedUp.status).toBe(403);
    expect(usedUp.body.error.code).toBe('invalid-invite');

    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}/invites/${revoked.body.id}`, { token: owner.token })).status).toBe(204);
    expect((await join(server.url, room.id, second.token, { invite: revoked.body.token })).body.error.code).toBe('invalid-invite');
    expect(securityEvents('invite-refused').filter((event) => event.roomId === room.id)).toHaveLength(2);

    const list = await call(server.url, 'GET', `/api/rooms/${room.id}/invites`, { token: owner.token });
    expect(list.body).toEqual([
      { id: once.body.id, role: 'editor', expiresAt: once.body.expiresAt, uses: 1, maxUses: 1, createdAt: expect.any(String) },
    ]);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/invites`, { token: first.token })).status).toBe(403);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}/invites/${once.body.id}`, { token: first.token })).status).toBe(403);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}/invites/not-a-uuid`, { token: owner.token })).status).toBe(404);
  });

  it('a visit to an open room is a membership the owner can see and remove; only the owner changes members', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const visitor = await guest(server.url, 'Visitor');
    expect((await join(server.url, room.id, visitor.token, {})).body.role).toBe('editor');
    const members = await call(server.url, 'GET', `/api/rooms/${room.id}/members`, { token: visitor.token });
    expect(members.body).toEqual([{ user: { id: visitor.user.id, name: 'Visitor' }, role: 'editor', joinedAt: expect.any(String) }]);
    const path = `/api/rooms/${room.id}/members/${visitor.user.id}`;
    expect((await call(server.url, 'PATCH', path, { token: visitor.token, body: { role: 'viewer' } })).status).toBe(403);
    expect((await call(server.url, 'PATCH', path, { token: owner.token, body: { role: 'owner' } })).status).toBe(400);
    // Turned viewer, a visit again does not make an editor of them.
    expect((await call(server.url, 'PATCH', path, { token: owner.token, body: { role: 'viewer' } })).body.role).toBe('viewer');
    expect((await join(server.url, room.id, visitor.token, {})).body.role).toBe('viewer');
    expect((await call(server.url, 'DELETE', path, { token: visitor.token })).status).toBe(403);
    expect((await call(server.url, 'DELETE', path, { token: owner.token })).status).toBe(204);
    expect((await call(server.url, 'DELETE', path, { token: owner.token })).status).toBe(404);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/members`, { token: owner.token })).body).toEqual([]);
  });
});
