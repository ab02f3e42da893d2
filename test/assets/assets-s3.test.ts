import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { useS3Server } from '../helpers/s3.ts';
import { fetchAsset, mp4Bytes, noisePng, upload } from './helpers.ts';

const BUCKET = 'scrible-assets-test';
const setup = useS3Server(BUCKET);

const keysOf = async (prefix: string) =>
  ((await setup.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key).sort();

describe('assets in an S3-compatible store', () => {
  it('stores each file once under assets/, serves it (ranges and variants too), and deletes it with the room', async () => {
    const { owner, room } = await roomWithOwner(setup.server.url);
    const png = await noisePng(100, 60);
    const first = await upload(setup.server.url, room.id, owner.token, png);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((await upload(setup.server.url, room.id, owner.token, png)).body.id).toBe(first.body.id);
    const key = `assets/${room.id}/${first.body.id}/original`;
    expect(await keysOf(`assets/${room.id}/`)).toEqual([key]);
    const object = await setup.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(object.ContentType).toBe('image/png');
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(Buffer.from(png))).toBe(true);

    const url = `${setup.server.url}/api/rooms/${room.id}/assets/${first.body.id}`;
    const whole = await fetchAsset(url, { token: owner.token });
    expect(whole.status).toBe(200);
    expect(Buffer.from(whole.bytes).equals(Buffer.from(png))).toBe(true);
    const small = await fetchAsset(`${url}?w=50`, { token: owner.token });
    expect((await sharp(small.bytes).metadata()).width).toBe(32);
    expect(await keysOf(`assets/${room.id}/`)).toEqual([key, `assets/${room.id}/${first.body.id}/w32`]);

    const video = mp4Bytes(3000);
    const clip = await upload(setup.server.url, room.id, owner.token, video);
    const part = await fetchAsset(`${setup.server.url}/api/rooms/${room.id}/assets/${clip.body.id}`, {
      token: owner.token,
      headers: { range: 'bytes=10-19' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${video.byteLength}`);
    expect(Buffer.from(part.bytes).equals(Buffer.from(video.subarray(10, 20)))).toBe(true);

    expect((await call(setup.server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await keysOf(`assets/${room.id}/`)).toEqual([]));
  });
});
