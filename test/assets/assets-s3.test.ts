import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { fetchAsset, mp4Bytes, noisePng, upload } from './helpers.ts';

const BUCKET = 'scrible-assets-test';
const KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

let s3Dir: string;
let s3Server: S3rver;
let s3: S3Client;
let server: TestServer;
beforeAll(async () => {
  s3Dir = mkdtempSync(path.join(tmpdir(), 'scrible-s3-'));
  s3Server = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true });
  const { port } = await s3Server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: KEYS });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  server = await startTestServer({
    env: {
      S3_BUCKET: BUCKET,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await server?.storage.drop();
  s3?.destroy();
  await s3Server?.close();
  rmSync(s3Dir, { recursive: true, force: true });
});

const keysOf = async (prefix: string) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key).sort();

describe('assets in an S3-compatible store', () => {
  it('stores each file once under assets/, serves it (ranges and variants too), and deletes it with the room', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const png = await noisePng(100, 60);
    const first = await upload(server.url, room.id, owner.token, png);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect((await upload(server.url, room.id, owner.token, png)).body.id).toBe(first.body.id);
    const key = `assets/${room.id}/${first.body.id}/original`;
    expect(await keysOf(`assets/${room.id}/`)).toEqual([key]);
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(object.ContentType).toBe('image/png');
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(Buffer.from(png))).toBe(true);

    const url = `${server.url}/api/rooms/${room.id}/assets/${first.body.id}`;
    const whole = await fetchAsset(url, { token: owner.token });
    expect(whole.status).toBe(200);
    expect(Buffer.from(whole.bytes).equals(Buffer.from(png))).toBe(true);
    const small = await fetchAsset(`${url}?w=50`, { token: owner.token });
    expect((await sharp(small.bytes).metadata()).width).toBe(32);
    expect(await keysOf(`assets/${room.id}/`)).toEqual([key, `assets/${room.id}/${first.body.id}/w32`]);

    const video = mp4Bytes(3000);
    const clip = await upload(server.url, room.id, owner.token, video);
    const part = await fetchAsset(`${server.url}/api/rooms/${room.id}/assets/${clip.body.id}`, {
      token: owner.token,
      headers: { range: 'bytes=10-19' },
    });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${video.byteLength}`);
    expect(Buffer.from(part.bytes).equals(Buffer.from(video.subarray(10, 20)))).toBe(true);

    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await keysOf(`assets/${room.id}/`)).toEqual([]));
  });
});
