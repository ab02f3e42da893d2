import { describe, expect, it } from 'vitest';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

const join = (roomId: string, token: string | undefined, body: unknown) =>
  call(server.url, 'POST', `/api/rooms/${roomId}/join`, { token, body });

describe('POST /api/rooms/:roomId/join', () => {
  it('gives the owner an owner token', async () => {
    const { owner, room } = await roomWithOwner(server.url, { password: 'pw' });
    const answer = await join(room.id, owner.token, {});
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ token: expect.any(String), role: 'owner' });
    expect(server.tokens.verify(answer.body.token)).toMatchObject({ kind: 'room', room: room.id, role: 'owner', sub: owner.user.id });
  });

  it('lets anyone into a public room without a password as editor', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'public' });
    const someone = await guest(server.url);
    expect((await join(room.id, someone.token, {})).body.role).toBe('editor');
  });

  it('checks the password against the bcrypt hash', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'private', password: 'correct horse' });
    const someone = await guest(server.url);
    const wrong = await join(room.id, someone.token, { password: 'battery staple' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong-password');
    const missing = await join(room.id, someone.token, {});
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('password-required');
    const right = await join(room.id, someone.token, { password: 'correct horse' });
    expect(right.status).toBe(200);
    expect(right.body.role).toBe('editor');
    // A member need not repeat the password.
    expect((await join(room.id, someone.token, {})).status).toBe(200);
  });

  it('answers 429 after ten password attempts in ten minutes', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'public', password: 'right' });
    const someone = await guest(server.url);
    for (let i = 0; i < 10; i++) expect((await join(room.id, someone.token, { password: `wrong-${i}` })).status).toBe(403);
    const limited = await join(room.id, someone.token, { password: 'right' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate-limited');
  });

  it('turns an invite into its role, for its room only', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private', password: 'pw' });
    const { room: otherRoom } = await roomWithOwner(server.url, { visibility: 'private' });
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { role: 'viewer' } });
    const someone = await guest(server.url);
    const answer = await join(room.id, someone.token, { invite: invite.body.token });
    expect(answer.body.role).toBe('viewer');
    const elsewhere = await join(otherRoom.id, someone.token, { invite: invite.body.token });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.code).toBe('invalid-invite');
  });

  it('refuses an invite once its expiresInSeconds has passed', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const invite = await call(server.url, 'POST', `/api/rooms/${room.id}/invite`, { token: owner.token, body: { expiresInSeconds: 1 } });
    expect(invite.status).toBe(201);
    const someone = await guest(server.url);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const late = await join(room.id, someone.token, { invite: invite.body.token });
    expect(late.status).toBe(403);
    expect(late.body.error.code).toBe('invalid-invite');
  });

  it('refuses expired and forged invites', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'private' });
    const someone = await guest(server.url);
    const expired = server.tokens.signInvite({ id: '00000000-0000-4000-8000-000000000000', roomId: room.id, role: 'editor' }, -10);
    expect((await join(room.id, someone.token, { invite: expired })).body.error.code).toBe('invalid-invite');
    expect((await join(room.id, someone.token, { invite: 'forged.invite.token' })).status).toBe(403);
  });

  it('refuses a private room without password or invite', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'private' });
    const someone = await guest(server.url);
    expect((await join(room.id, someone.token, {})).status).toBe(403);
  });

  it('answers 401, 400 and 404 where due', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'public' });
    expect((await join(room.id, undefined, {})).status).toBe(401);
    const someone = await guest(server.url);
    expect((await join(room.id, someone.token, { password: 12 })).status).toBe(400);
    expect((await join(room.id, someone.token, { role: 'owner' })).status).toBe(400);
    expect((await join('no-room-here', someone.token, {})).status).toBe(404);
  });
});
