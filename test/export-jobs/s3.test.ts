import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import { decodePng } from '../render/helpers.ts';
import { call } from '../helpers/api.ts';
import { expectFolderListing } from '../helpers/file-store-listing.ts';
import { useS3Server } from '../helpers/s3.ts';
import { download, fixtureRoom, requestExport, settled, unloaded } from './helpers.ts';

const BUCKET = 'scrible-exports-test';
const setup = useS3Server(BUCKET);

const keysOf = async (prefix: string) =>
  ((await setup.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key);

describe('exports in an S3-compatible store', () => {
  it('stores the file in the bucket, serves it through the API, and deletes it with the room', async () => {
    const { owner, room, writer } = await fixtureRoom(setup.server);
    const made = await requestExport(setup.server.url, room.id, owner.token, { format: 'png' });
    const { view } = await settled(setup.server.url, made.id, owner.token);
    expect(view.status, view.error ?? '').toBe('completed');
    expect(view.fileUrl).toMatch(new RegExp(`/api/exports/${made.id}/file$`));

    const key = `exports/${room.id}/${made.id}.png`;
    expect(await keysOf(`exports/${room.id}/`)).toEqual([key]);
    const object = await setup.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(object.ContentType).toBe('image/png');
    const stored = await object.Body!.transformToByteArray();

    const file = await download(`${setup.server.url}/api/exports/${made.id}/file`, owner.token);
    expect(file.type).toBe('image/png');
    expect(Buffer.from(file.bytes).equals(Buffer.from(stored))).toBe(true);
    expect(decodePng(file.bytes).width).toBeGreaterThan(0);

    await unloaded(setup.server, room.id, [writer]);
    expect((await call(setup.server.url, 'DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    await vi.waitFor(async () => expect(await keysOf(`exports/${room.id}/`)).toEqual([]));
  });

  it('lists the files directly in a folder, with keys as the other calls take them', async () => {
    await expectFolderListing(setup.server.exports.files);
  });
});
