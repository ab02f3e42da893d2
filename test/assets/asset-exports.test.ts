import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { useTestServer } from '../helpers/server.ts';
import { page } from '../helpers/tldraw-records.ts';
import { download, requestExport, settled } from '../export-jobs/helpers.ts';
import { decodePng, pixel } from '../render/helpers.ts';
import { imageAsset, upload } from './helpers.ts';

const server = useTestServer();

const RED = [220, 40, 40];
const BLUE = [40, 80, 220];
const GREEN = [40, 160, 60];
const YELLOW = [240, 200, 30];

/** A 320×200 PNG in four coloured quadrants. */
async function quadrantsPng(): Promise<Uint8Array> {
  const [width, height] = [320, 200];
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      pixels.set(x < width / 2 ? (y < height / 2 ? RED : GREEN) : y < height / 2 ? BLUE : YELLOW, (y * width + x) * 3);
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

function imageShape(assetId: string, w: number, h: number) {
  return {
    id: 'shape:picture',
    typeName: 'shape',
    type: 'image',
    x: 0,
    y: 0,
    rotation: 0,
    index: 'a1',
    parentId: 'page:page',
    isLocked: false,
    opacity: 1,
    meta: {},
    props: { w, h, playing: true, url: '', assetId, crop: null, flipX: false, flipY: false, altText: '' },
  };
}

/** A private room whose board shows the uploaded picture at its size. */
async function roomWithPicture() {
  const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
  const png = await quadrantsPng();
  const uploaded = await upload(server.url, room.id, owner.token, png);
  expect(uploaded.status).toBe(201);
  const patch = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, {
    token: owner.token,
    body: { put: [page, imageAsset('asset:picture', uploaded.body.url, 320, 200), imageShape('asset:picture', 320, 200)] },
  });
  expect(patch.status, JSON.stringify(patch.body)).toBe(200);
  return { owner, room, png };
}

async function exported(roomId: string, token: string, body: Record<string, unknown>) {
  const made = await requestExport(server.url, roomId, token, body);
  const { view } = await settled(server.url, made.id, token);
  expect(view.status, view.error ?? '').toBe('completed');
  return (await download(`${server.url}/api/exports/${made.id}/file`, token)).bytes;
}

const near = (actual: number[], expected: number[]) => actual.slice(0, 3).every((value, i) => Math.abs(value - expected[i]!) <= 12);

describe('exports draw the room’s pictures from the asset store', () => {
  it('a PNG export shows the uploaded picture’s pixels', async () => {
    const { owner, room } = await roomWithPicture();
    const image = decodePng(await exported(room.id, owner.token, { format: 'png' }));
    // Whatever padding the export adds, the picture sits in its middle.
    const left = (image.width - 320) / 2;
    const top = (image.height - 200) / 2;
    expect(left).toBeGreaterThanOrEqual(0);
    for (const [x, y, colour] of [
      [80, 50, RED],
      [240, 50, BLUE],
      [80, 150, GREEN],
      [240, 150, YELLOW],
    ] as const) {
      const seen = pixel(image, left + x, top + y);
      expect(near(seen, colour), `at ${x},${y}: ${seen.join(',')}`).toBe(true);
    }
  });

  it('SVG embeds the picture; a .tldr file carries the original file', async () => {
    const { owner, room, png } = await roomWithPicture();
    const svg = new TextDecoder().decode(await exported(room.id, owner.token, { format: 'svg' }));
    expect(svg).toContain('<image href="data:image/png;base64,');
    expect(svg).not.toContain(`/api/rooms/${room.id}/assets/`);
    const tldr = JSON.parse(new TextDecoder().decode(await exported(room.id, owner.token, { format: 'json' }))) as {
      records: Array<{ typeName: string; props?: { src?: string } }>;
    };
    const src = tldr.records.find((record) => record.typeName === 'asset')?.props?.src ?? '';
    expect(src.startsWith('data:image/png;base64,')).toBe(true);
    const bytes = Buffer.from(src.slice('data:image/png;base64,'.length), 'base64');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(png).digest('hex'));
  });
});
