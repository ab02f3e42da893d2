import jwt from 'jsonwebtoken';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, guest, roomWithOwner } from '../helpers/api.ts';
import { openProvider, putRecord, recordIds, syncedProvider, acknowledged } from '../helpers/provider.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let privateRoom: { id: string };
let owner: { token: string; user: { id: string } };

beforeAll(async () => {
  server = await startTestServer();
  ({ owner, room: privateRoom } = await roomWithOwner(server.url, { visibility: 'private' }));
  // Give the room content, so "no content" below means something.
  const writer = await syncedProvider(server.wsUrl, privateRoom.id, owner.token);
  putRecord(writer.doc, privateRoom.id, 'shape:secret', { text: 'secret' });
  await acknowledged(writer);
  writer.destroy();
});
afterAll(async () => {
  await server.close();
  await server.storage.drop();
});

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const inOneHour = () => Math.floor(Date.now() / 1000) + 3600;

/** Opens a provider with the token and expects `authenticationFailed(reason)` and an empty document. */
async function expectRefused(roomId: string, token: string, reason: string) {
  const opened = openProvider(server.wsUrl, roomId, token);
  await vi.waitFor(() => expect(opened.failures).toContain(reason));
  expect(opened.provider.isSynced).toBe(false);
  // Nothing of the room arrived: the document has no content at all.
  expect(opened.doc.share.size).toBe(0);
  expect(Y.encodeStateVector(opened.doc)).toEqual(new Uint8Array([0]));
}

describe('the WebSocket refuses', () => {
  it('no token', () => expectRefused(privateRoom.id, '', 'invalid-token'));

  it('a token signed with another secret', () =>
    expectRefused(
      privateRoom.id,
      jwt.sign({ sub: owner.user.id, name: 'x', exp: inOneHour() }, 'another-secret-entirely'),
      'invalid-token',
    ));

  it('alg: none', () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: owner.user.id, name: 'x', exp: inOneHour() })}.`;
    return expectRefused(privateRoom.id, token, 'invalid-token');
  });

  it('another algorithm with the right secret (HS512)', () =>
    expectRefused(
      privateRoom.id,
      jwt.sign({ sub: owner.user.id, name: 'x', exp: inOneHour() }, TEST_SECRET, { algorithm: 'HS512' }),
      'invalid-token',
    ));

  it('a token without exp', () => expectRefused(privateRoom.id, jwt.sign({ sub: owner.user.id, name: 'x' }, TEST_SECRET), 'invalid-token'));

  it('an expired token', () =>
    expectRefused(
      privateRoom.id,
      jwt.sign({ sub: owner.user.id, name: 'x', exp: Math.floor(Date.now() / 1000) - 10 }, TEST_SECRET),
      'token-expired',
    ));

  it('garbage', () => expectRefused(privateRoom.id, 'not.a.jwt', 'invalid-token'));

  it('a room that does not exist', () => expectRefused('nope-no-such-room', owner.token, 'room-not-found'));

  it('an id that cannot be a room', () => expectRefused('../../etc/passwd', owner.token, 'room-not-found'));

  it('a private room for a user token of someone else', async () => {
    const stranger = await guest(server.url, 'Stranger');
    await expectRefused(privateRoom.id, stranger.token, 'permission-denied');
  });

  it('a public room with a password for a plain user token', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'public', password: 'hunter22' });
    const stranger = await guest(server.url, 'Stranger');
    await expectRefused(room.id, stranger.token, 'permission-denied');
  });

  it('a room token for another room', async () => {
    const { room: other } = await roomWithOwner(server.url, { visibility: 'public' });
    const someone = await guest(server.url, 'Someone');
    const joined = await call(server.url, 'POST', `/api/rooms/${other.id}/join`, { token: someone.token, body: {} });
    expect(joined.status).toBe(200);
    await expectRefused(privateRoom.id, joined.body.token, 'permission-denied');
  });

  it('an invite token used as a socket token', async () => {
    const invite = await call(server.url, 'POST', `/api/rooms/${privateRoom.id}/invite`, { token: owner.token, body: {} });
    await expectRefused(privateRoom.id, invite.body.token, 'invalid-token');
  });

  it('counts every refusal in scrible_auth_failures_total', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/scrible_auth_failures_total\{reason="invalid-token"\} [1-9]/);
    expect(metrics).toMatch(/scrible_auth_failures_total\{reason="token-expired"\} [1-9]/);
    expect(metrics).toMatch(/scrible_auth_failures_total\{reason="room-not-found"\} [1-9]/);
    expect(metrics).toMatch(/scrible_auth_failures_total\{reason="permission-denied"\} [1-9]/);
  });
});

describe('the WebSocket accepts', () => {
  it('the owner with a user token', async () => {
    const opened = await syncedProvider(server.wsUrl, privateRoom.id, owner.token);
    expect(recordIds(opened.doc, privateRoom.id)).toEqual(['shape:secret']);
  });

  it("an application's own user token for an open room, recording the user", async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'public' });
    const token = jwt.sign({ sub: 'app-user-42', name: 'App User', email: 'a@example.com', exp: inOneHour() }, TEST_SECRET);
    await syncedProvider(server.wsUrl, room.id, token);
    await vi.waitFor(async () => {
      const answer = await call(server.url, 'GET', `/api/rooms/${room.id}`);
      expect(answer.body.online).toContainEqual({ id: 'app-user-42', name: 'App User' });
    });
  });

  it('a room token from a password join', async () => {
    const { room } = await roomWithOwner(server.url, { visibility: 'private', password: 'open sesame' });
    const member = await guest(server.url, 'Member');
    const joined = await call(server.url, 'POST', `/api/rooms/${room.id}/join`, { token: member.token, body: { password: 'open sesame' } });
    expect(joined.body.role).toBe('editor');
    await syncedProvider(server.wsUrl, room.id, joined.body.token);
  });
});
