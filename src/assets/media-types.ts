import { fileTypeFromBuffer } from 'file-type';

/** What may be uploaded (API.md "Assets"); anything else is 415. */
export const ASSET_MIME_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/svg+xml',
  'video/mp4',
  'video/webm',
] as const;
export type AssetMimeType = (typeof ASSET_MIME_TYPES)[number];

const ALLOWED = new Set<string>(ASSET_MIME_TYPES);
// Types file-type names more precisely than browsers need: an animated PNG is a PNG.
const ALIASES: Record<string, AssetMimeType> = { 'image/apng': 'image/png' };

export function isImageType(type: AssetMimeType): boolean {
  return type.startsWith('image/');
}

/**
 * The type of a file from its bytes alone (the client's `Content-Type` is never
 * believed), or `undefined` when it is not one of the allowed types. Binary formats
 * come from their signatures; SVG, which is text, from its root element.
 */
export async function sniffAssetType(bytes: Uint8Array): Promise<AssetMimeType | undefined> {
  const found = await fileTypeFromBuffer(bytes);
  if (found && found.mime !== 'application/xml') {
    const mime = ALIASES[found.mime] ?? found.mime;
    return ALLOWED.has(mime) ? (mime as AssetMimeType) : undefined;
  }
  return isSvg(bytes) ? 'image/svg+xml' : undefined;
}

// What may come before an SVG's root element: an XML declaration, comments, a doctype
// (with an internal subset), processing instructions, and white space.
const PROLOGUE = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)*/i;

/** UTF-8 text whose root element is `<svg>`. */
function isSvg(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes.subarray(0, 64 * 1024));
  } catch {
    // Cut mid-character at 64 KiB, or not UTF-8 at all: try the whole file once.
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return false;
    }
  }
  const rest = text.slice(PROLOGUE.exec(text)?.[0].length ?? 0);
  return /^<svg[\s>/]/.test(rest) || /^<[A-Za-z_][\w.-]*:svg[\s>/]/.test(rest);
}
