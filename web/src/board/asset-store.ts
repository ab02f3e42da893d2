import type { TLAsset, TLAssetContext, TLAssetStore } from 'tldraw';
import { uploadAsset } from '../api/assets.ts';

/** What the asset store needs to know about the room it uploads to. */
export interface RoomAssetOptions {
  roomId: string;
  /** A room token (owner or editor) for uploads, and for reading a room that is not open. */
  getToken: () => Promise<string>;
  /** Whether anyone may read the room (public, no password): then URLs need no token. */
  isOpenRoom: () => boolean;
}

/** Path of one of the room's assets (`/api/rooms/<roomId>/assets/<sha256>`). */
function isRoomAssetPath(pathname: string, roomId: string): boolean {
  const match = /^\/api\/rooms\/([^/]+)\/assets\/[0-9a-f]{64}$/.exec(pathname);
  return match !== null && decodeURIComponent(match[1]!) === roomId;
}

/**
 * The width to ask the server for: the next power of two at or above what the screen
 * shows (the server serves the largest power of two at or below `?w=`, so the two meet
 * exactly), or `undefined` for the original when that is no larger.
 */
export function requestedWidth(asset: TLAsset, ctx: TLAssetContext): number | undefined {
  if (ctx.shouldResolveToOriginal || asset.type !== 'image') return undefined;
  if (asset.props.mimeType === 'image/svg+xml' || asset.props.isAnimated) return undefined;
  const shown = asset.props.w * ctx.steppedScreenScale * ctx.dpr;
  if (!Number.isFinite(shown) || shown <= 0) return undefined;
  const width = 2 ** Math.ceil(Math.log2(shown));
  return width < asset.props.w ? width : undefined;
}

/**
 * tldraw's asset store for a room: dropped and pasted files are uploaded to the API and
 * the asset record keeps their URL, so nothing is inlined in the document any more.
 * Resolving adds `?token=` for rooms that are not open (an `<img>` cannot send headers)
 * and `?w=` when the picture is shown much smaller than it is.
 */
export function createRoomAssetStore(options: RoomAssetOptions): TLAssetStore {
  const { roomId, getToken, isOpenRoom } = options;
  return {
    async upload(_asset, file, abortSignal) {
      const uploaded = await uploadAsset(await getToken(), roomId, file, abortSignal);
      return { src: uploaded.url };
    },

    async resolve(asset, ctx) {
      const src = asset.props.src;
      if (!src) return null;
      let url: URL;
      try {
        url = new URL(src, location.href);
      } catch {
        return src;
      }
      if (!isRoomAssetPath(url.pathname, roomId)) return src;
      // The API is this page's origin, whatever PUBLIC_URL said when the file was uploaded.
      const resolved = new URL(url.pathname, location.origin);
      const width = requestedWidth(asset, ctx);
      if (width !== undefined) resolved.searchParams.set('w', String(width));
      if (!isOpenRoom()) resolved.searchParams.set('token', await getToken());
      return resolved.toString();
    },
  };
}
