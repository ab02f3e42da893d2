import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

/** A PNG of one colour: small, compresses to a few hundred bytes. */
export async function solidPng(width: number, height: number, color = '#ff0000'): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: color } })
      .png()
      .toBuffer(),
  );
}

/** A PNG of random pixels: incompressible, so about 3 bytes per pixel. */
export async function noisePng(width: number, height: number): Promise<Uint8Array> {
  const pixels = randomBytes(width * height * 3);
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** An MP4 as far as its signature goes: an `ftyp` box (isom) and an `mdat` box of `size` bytes. */
export function mp4Bytes(size: number): Uint8Array {
  const box = (type: string, body: Buffer) => {
    const bytes = Buffer.alloc(8 + body.length);
    bytes.writeUInt32BE(8 + body.length);
    bytes.write(type, 4, 'latin1');
    body.copy(bytes, 8);
    return bytes;
  };
  return new Uint8Array(Buffer.concat([box('ftyp', Buffer.from('isom\0\0\x02\0isomiso2mp41', 'latin1')), box('mdat', randomBytes(size))]));
}

export const SVG =
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="50" height="20"><rect width="50" height="20" fill="blue"/></svg>';

/** An upload's answer. */
export interface Uploaded {
  status: number;
  body: any;
}

/** `POST /api/rooms/:roomId/assets` with the bytes as the raw body. */
export async function upload(
  baseUrl: string,
  roomId: string,
  token: string | undefined,
  bytes: Uint8Array,
  type = 'application/octet-stream',
) {
  const response = await fetch(`${baseUrl}/api/rooms/${roomId}/assets`, {
    method: 'POST',
    headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
  return { status: response.status, body: await response.json() } as Uploaded;
}

/** `GET` of an asset URL: status, headers and the bytes. */
export async function fetchAsset(url: string, init: { token?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(url, {
    headers: { ...init.headers, ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
  });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** A tldraw image asset record pointing at `src`. */
export function imageAsset(id: string, src: string, w = 40, h = 30) {
  return {
    id,
    typeName: 'asset',
    type: 'image',
    props: { w, h, name: 'picture.png', isAnimated: false, mimeType: 'image/png', src },
    meta: {},
  };
}
