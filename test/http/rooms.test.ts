import { sql } from 'drizzle-orm';
import { eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { roomParticipants, rooms, users } from '../../src/db/schema.ts';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { openProvider, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { PUBLIC_URL: 'https://boards.example.com/' } });

const ROOM_KEYS = ['createdAt', 'hasPassword', 'id', 'lastActive', 'name', 'ownerId', 'settings', 'visibility'];

describe('POST /api/auth/guest', () => {
  it('creates a guest with a token', async () => {
    const answer = await call(server.url, 'POST', '/api/auth/guest', { body: { name: '  Ada  ' } });
    expect(answer.status).toBe(201);
    expect(answer.body.user).toEqual({ id: expect.any(String), name: 'Ada' });
    expect(answer.body.token.split('.')).toHaveLength(3);
  });

  it('strips control characters and angle brackets', async () => {
    const answer = await call(server.url, 'POST', '/api/auth/guest', { body: { name: '<script>Bob\u0007</script>' } });
    expect(answer.status).toBe(201);
    expect(answer.body.user.name).toBe('scriptBob/script');
  });

  it.each([
    ['an empty name', { name: '  <> ' }],
    ['a missing name', {}],
    ['a name over 100 characters', { name: 'x'.repeat(101) }],
    ['a wrong type', { name: 42 }],
    ['an unknown field', { name: 'Ann', admin: true }],
  ])('answers 400 for %s', async (_label, body) => {
    const answer = await call(server.url, 'POST', '/api/auth/guest', { body });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('answers 400 for malformed JSON', async () => {
    const answer = await call(server.url, 'POST', '/api/auth/guest', { rawBody: '{"name": ' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('bad-request');
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const answer = await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'x'.repeat(1024 * 1024 + 10) } });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('payload-too-large');
  });
});

describe('POST /api/rooms', () => {
  it('creates a room and never shows the password or its hash', async () => {
    const owner = await guest(server.url);
    const answer = await call(server.url, 'POST', '/api/rooms', {
      token: owner.token,
      body: { name: 'Plan', visibility: 'private', password: 'pw-123' },
    });
    expect(answer.status).toBe(201);
    expect(Object.keys(answer.body).sort()).toEqual(ROOM_KEYS);
    expect(answer.body).toMatchObject({ name: 'Plan', visibility: 'private', hasPassword: true, ownerId: owner.user.id });
    expect(answer.body.id).toMatch(/^[A-Za-z0-9_-]{1,20}$/);
    expect(JSON.stringify(answer.body)).not.toMatch(/pw-123|\$2[aby]\$/);
    // Stored as a bcrypt hash, never as the password.
    const [row] = await server.database.db.select().from(rooms).where(eq(rooms.id, answer.body.id));
    expect(row!.passwordHash).toMatch(/^\$2[aby]\$\d{2}\$/);
    expect(row!.passwordHash).not.toContain('pw-123');
  });

  it('answers 401 without a token and with a bad one', async () => {
    expect((await call(server.url, 'POST', '/api/rooms', { body: { name: 'x', visibility: 'public' } })).status).toBe(401);
    const bad = await call(server.url, 'POST', '/api/rooms', { token: 'nonsense', body: { name: 'x', visibility: 'public' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid-token');
  });

  it('answers 400 for a bad visibility, unknown fields and a bad name', async () => {
    const owner = await guest(server.url);
    for (const body of [
      { name: 'x', visibility: 'secret' },
      { name: 'x', visibility: 'public', color: 'red' },
      { name: '', visibility: 'public' },
    ]) {
      expect((await call(server.url, 'POST', '/api/rooms', { token: owner.token, body })).status).toBe(400);
    }
  });
});

describe('GET /api/rooms/:roomId', () => {
  it('shows a public room to anyone, with who is online', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const empty = await call(server.url, 'GET', `/api/rooms/${room.id}`);
    expect(empty.status).toBe(200);
    expect(empty.body.online).toEqual([]);
    const opened = await syncedProvider(server.wsUrl, room.id, owner.token);
    await vi.waitFor(async () => {
      expect((await call(server.url, 'GET', `/api/rooms/${room.id}`)).body.online).toEqual([{ id: owner.user.id, name: 'Owner' }]);
    });
    opened.destroy();
    await vi.waitFor(async () => expect((await call(server.url, 'GET', `/api/rooms/${room.id}`)).body.online).toEqual([]));
    // The session is in the join/leave history, and the room's activity time moved.
    await vi.waitFor(async () => {
      const history = await server.database.db.select().from(roomParticipants).where(eq(roomParticipants.roomId, room.id));
      expect(history).toEqual([expect.objectContaining({ userId: owner.user.id, role: 'owner', leftAt: expect.any(Date) })]);
    });
    const after = await call(server.url, 'GET', `/api/rooms/${room.id}`);
    expect(Date.parse(after.body.lastActive)).toBeGreaterThan(Date.parse(empty.body.lastActive));
  });

  it('records every session of a connect storm, its leaves, and the user a token names, with its email', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'public' });
    // A user token from another application: the user has no row until they connect.
    const outsider = server.tokens.signUser({ id: `ext-${room.id}`, name: 'Outsider', email: `${room.id}@example.com` }, 600);
    const storm = await Promise.all(
      Array.from({ length: 12 }, (_, n) =>
        syncedProvider(server.wsUrl, room.id, server.tokens.signUser({ id: `storm-${room.id}-${n}`, name: `Storm ${n}` }, 600)),
      ),
    );
    const outsiderTab = await syncedProvider(server.wsUrl, room.id, outsider);
    const history = () => server.database.db.select().from(roomParticipants).where(eq(roomParticipants.roomId, room.id));
    await vi.waitFor(async () => expect(await history()).toHaveLength(13));
    await vi.waitFor(async () => {
      const [row] = await server.database.db
        .select()
        .from(users)
        .where(eq(users.id, `ext-${room.id}`));
      expect(row).toMatchObject({ name: 'Outsider', email: `${room.id}@example.com` });
    });
    for (const tab of [...storm, outsiderTab]) tab.destroy();
    await vi.waitFor(async () => expect((await history()).every((row) => row.leftAt instanceof Date)).toBe(true));
  });

  it('shows a private room to members only', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private', password: 'pw' });
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}`)).status).toBe(401);
    const stranger = await guest(server.url);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}`, { token: stranger.token })).status).toBe(403);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(200);
    await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: stranger.token, body: { password: 'pw' } });
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}`, { token: stranger.token })).status).toBe(200);
  });

  it('answers 404 for an unknown room', async () => {
    const answer = await call(server.url, 'GET', '/api/rooms/doesnotexist');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('room-not-found');
  });
});

describe('GET /api/rooms', () => {
  it('lists rooms owned or joined, newest activity first', async () => {
    const me = await guest(server.url, 'Me');
    const first = await call(server.url, 'POST', '/api/rooms', { token: me.token, body: { name: 'First', visibility: 'private' } });
    const { room: theirs } = await roomWithOwner(server.url, { visibility: 'public' });
    await roomWithOwner(server.url, { visibility: 'public' }); // neither owned nor joined
    await call(server.url, 'POST', `/api/rooms/${theirs.id}/join`, { token: me.token, body: {} });
    const second = await call(server.url, 'POST', '/api/rooms', { token: me.token, body: { name: 'Second', visibility: 'public' } });
    const list = await call(server.url, 'GET', '/api/rooms', { token: me.token });
    expect(list.status).toBe(200);
    expect(list.body.map((r: { id: string }) => r.id).sort()).toEqual([first.body.id, theirs.id, second.body.id].sort());
    expect(list.body[0].id).toBe(second.body.id);
    expect((await call(server.url, 'GET', '/api/rooms')).status).toBe(401);
  });
});

describe('PATCH /api/rooms/:roomId', () => {
  it('lets the owner change name, visibility, password and settings', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private', password: 'old' });
    const changed = await call(server.url, 'PATCH', `/api/rooms/${room.id}`, {
      token: owner.token,
      body: { name: 'Renamed', visibility: 'public', password: null, settings: { grid: true } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Renamed', visibility: 'public', hasPassword: false, settings: { grid: true } });
    const withPassword = await call(server.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { password: 'new-one' } });
    expect(withPassword.body.hasPassword).toBe(true);
  });

  it('answers 403 to others, 400 to bad bodies, 404 to unknown rooms', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const other = await guest(server.url);
    expect((await call(server.url, 'PATCH', `/api/rooms/${room.id}`, { token: other.token, body: { name: 'Mine' } })).status).toBe(403);
    expect((await call(server.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { visibility: 'hidden' } })).status).toBe(
      400,
    );
    expect((await call(server.url, 'PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { owner: 'me' } })).status).toBe(400);
    expect((await call(server.url, 'PATCH', '/api/rooms/unknownroom', { token: owner.token, body: { name: 'x' } })).status).toBe(404);
  });
});

describe('DELETE /api/rooms/:roomId', () => {
  it('deletes the room and its snapshots, and disconnects its clients', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'public' });
    const opened = await syncedProvider(server.wsUrl, room.id, owner.token);
    const other = await guest(server.url);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: other.token })).status).toBe(403);

    let closedReason = '';
    opened.provider.on('close', ({ event }: { event: { reason: string } }) => (closedReason = event.reason));
    const deleted = await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token });
    expect(deleted.status).toBe(204);
    await vi.waitFor(() => expect(closedReason).toBe('room-not-found'));
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}`)).status).toBe(404);
    expect((await call(server.url, 'GET', `/api/rooms/${room.id}/snapshots`, { token: owner.token })).status).toBe(404);
    const again = openProvider(server.wsUrl, room.id, owner.token);
    await vi.waitFor(() => expect(again.failures).toContain('room-not-found'));
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(404);
  });
});

describe('POST /api/rooms/:roomId/invite', () => {
  it('gives the owner a signed invite link under PUBLIC_URL', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const answer = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, {
      token: owner.token,
      body: { role: 'viewer', expiresInSeconds: 3600 },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({
      id: expect.any(String),
      token: expect.any(String),
      url: expect.any(String),
      role: 'viewer',
      expiresAt: expect.any(String),
      maxUses: null,
    });
    // In the fragment: never sent to servers or proxies, so never in their logs.
    expect(answer.body.url).toBe(`https://boards.example.com/r/${room.id}#invite=${answer.body.token}`);
    const expiresIn = Date.parse(answer.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(3500_000);
    expect(expiresIn).toBeLessThan(3700_000);
  });

  it('defaults to editor and refuses others, bad bodies and unknown rooms', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: {} })).body.role).toBe('editor');
    const other = await guest(server.url);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: other.token, body: {} })).status).toBe(403);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'owner' } })).status).toBe(
      400,
    );
    expect(
      (await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { expiresInSeconds: -5 } })).status,
    ).toBe(400);
    expect((await call(server.url, 'POST', '/api/rooms/nosuchroom/invite', { token: owner.token, body: {} })).status).toBe(404);
    expect((await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { body: {} })).status).toBe(401);
  });

  it('GET /api/rooms pages skip no room that shares its moment with a page boundary', async () => {
    const { owner } = await roomWithOwner(server.url, { name: 'Zero' });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await call(server.url, 'POST', '/api/rooms', {
        token: owner.token,
        body: { name: `Tie ${i}`, visibility: 'private' },
      });
      ids.push(created.body.id);
    }
    // Three rooms active in the same millisecond (microseconds apart), one just after it.
    const at = '2031-01-01T10:00:00.123';
    const set = (id: string, time: string) =>
      server.database.db.execute(sql`UPDATE rooms SET last_active = ${time}::timestamptz WHERE id = ${id}`);
    await set(ids[0]!, `${at}100Z`);
    await set(ids[1]!, `${at}200Z`);
    await set(ids[2]!, `${at}300Z`);
    await set(ids[3]!, '2031-01-01T10:00:00.124Z');

    const seen: string[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const query = `/api/rooms?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`;
      const page = await call(server.url, 'GET', query, { token: owner.token });
      expect(page.status).toBe(200);
      if (page.body.length === 0) break;
      seen.push(...page.body.map((room: { id: string }) => room.id));
      before = page.body.at(-1).lastActive;
    }
    expect(seen.slice(0, 4)).toEqual([ids[3], ids[2], ids[1], ids[0]]);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
