import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodePng } from '../render/helpers.ts';
import { call } from '../helpers/api.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { download, fixtureRoom, requestExport, settled, unloaded } from './helpers.ts';

const BUCKET = 'scrible-exports-test';
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
  ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

describe('exports in an S3-compatible store', () => {
  it('stores the file in the bucket, serves it through the API, and deletes it with the room', async () => {
    const { owner, room, writer } = await fixtureRoom(server);
    const made = await requestExport(server.url, room.id, owner.token, { format: 'png' });
    const { view } = await settled(server.url, made.id, owner.token);
    expect(view.status, view.error ?? '').toBe('completed');
    expect(view.fileUrl).toMatch(new RegExp(`/api/exports/${made.id}/file$`));

    const key = `exports/${room.id}/${made.id}.png`;
    expect(await keysOf(`exports/${room.id}/`)).toEqual([key]);
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(object.ContentType).toBe('image/png');
    const stored = await object.Body!.transformToByteArray();

    const file = await download(`${server.url}/api/exports/${made.id}/file`, owner.token);
    expect(file.type).toBe('image/png');
    expect(Buffer.from(file.bytes).equals(Buffer.from(stored))).toBe(true);
    expect(decodePng(file.bytes).width).toBeGreaterThan(0);

    await unloaded(server, room.id, [writer]);
    expect((await call(server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await keysOf(`exports/${room.id}/`)).toEqual([]));
  });
});
