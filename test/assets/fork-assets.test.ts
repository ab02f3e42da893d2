import { describe, expect, it } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, putRecord, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';
import { fetchAsset, imageAsset, solidPng, upload } from './helpers.ts';

const server = useTestServer();

// API.md: a fork holds the board "assets included": its own copies, so its pictures
// stay when the source room is deleted.
describe('forks and assets', () => {
  it('copies the pictures the board shows into the fork and points the fork at them', async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const png = await solidPng(40, 30, '#00ff00');
    const uploaded = await upload(server.url, room.id, owner.token, png, 'image/png');
    expect(uploaded.status).toBe(201);
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const { id: _id, ...record } = imageAsset('asset:photo', uploaded.body.url);
    putRecord(writer.doc, room.id, 'asset:photo', record);
    await acknowledged(writer);
    writer.destroy();

    const forked = await call(server.url, 'POST', `/api/rooms/${room.id}/fork`, { token: owner.token, body: {} });
    expect(forked.status).toBe(201);
    const forkId = forked.body.id as string;
    const document = await call(server.url, 'GET', `/api/rooms/${forkId}/document`, { token: owner.token });
    const asset = document.body.records.find((record: { id: string }) => record.id === 'asset:photo');
    expect(asset.props.src).toBe(`${new URL(uploaded.body.url).origin}/api/rooms/${forkId}/assets/${uploaded.body.id}`);

    // The source goes; the fork's picture stays, byte for byte.
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    const served = await fetchAsset(`${server.url}/api/rooms/${forkId}/assets/${uploaded.body.id}`, { token: owner.token });
    expect(served.status).toBe(200);
    expect(Buffer.from(served.bytes).equals(Buffer.from(png))).toBe(true);
  });
});
