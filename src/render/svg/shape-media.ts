/**
 * Image shapes (embedded asset data when the asset holds a data: URL, with crop and flips)
 * and placeholders for everything that cannot be drawn offline: remote images, video,
 * embeds and bookmarks. Remote URLs are never fetched.
 */
import type { TLImageShape, TLShape } from '@tldraw/tlschema';
import { familyOf } from '../fonts.ts';
import type { RenderContext, ShapeRenderer } from './context.ts';
import { fmt } from './geometry.ts';
import { escapeXml, safeId } from './xml.ts';

type BoxShape = TLShape & { props: { w: number; h: number } };

/** A grey box with a caption: what an export shows for content it cannot embed. */
export function placeholderSvg(w: number, h: number, caption: string): string {
  const size = Math.max(8, Math.min(14, h / 4));
  const text = caption
    ? `<text x="${fmt(w / 2)}" y="${fmt(h / 2 + size * 0.36)}" font-family="${familyOf('sans')}" font-weight="500" font-size="${fmt(size)}" fill="#5f6369" text-anchor="middle">${escapeXml(caption.slice(0, 60))}</text>`
    : '';
  return `<rect width="${fmt(w)}" height="${fmt(h)}" fill="#eceef0" stroke="#9fa8b2" stroke-width="1"/>${text}`;
}

function imageSrc(shape: TLImageShape, ctx: RenderContext): string | null {
  const asset = shape.props.assetId ? ctx.assets.get(shape.props.assetId) : undefined;
  const src = asset && asset.type === 'image' ? asset.props.src : shape.props.url;
  return src?.startsWith('data:image/') ? src : null;
}

/** Renders `image` shapes. */
export const imageRenderer: ShapeRenderer<TLImageShape> = {
  bounds(shape) {
    return { x: 0, y: 0, w: shape.props.w, h: shape.props.h };
  },
  render(shape, ctx) {
    const { w, h, crop, flipX, flipY, altText } = shape.props;
    const src = imageSrc(shape, ctx);
    if (!src) return placeholderSvg(w, h, altText || 'Image');
    const tl = crop?.topLeft ?? { x: 0, y: 0 };
    const br = crop?.bottomRight ?? { x: 1, y: 1 };
    const fullW = w / Math.max(1e-6, br.x - tl.x);
    const fullH = h / Math.max(1e-6, br.y - tl.y);
    const flip =
      flipX || flipY ? ` transform="matrix(${flipX ? -1 : 1} 0 0 ${flipY ? -1 : 1} ${flipX ? fmt(w) : 0} ${flipY ? fmt(h) : 0})"` : '';
    const clipShape = crop?.isCircle
      ? `<ellipse cx="${fmt(w / 2)}" cy="${fmt(h / 2)}" rx="${fmt(w / 2)}" ry="${fmt(h / 2)}"/>`
      : `<rect width="${fmt(w)}" height="${fmt(h)}"/>`;
    const clipId = `clip-img-${safeId(shape.id)}`;
    const clip = ctx.defs.use(clipId, () => `<clipPath id="${clipId}">${clipShape}</clipPath>`);
    const image = `<image href="${escapeXml(src)}" x="${fmt(-tl.x * fullW)}" y="${fmt(-tl.y * fullH)}" width="${fmt(fullW)}" height="${fmt(fullH)}" preserveAspectRatio="none"/>`;
    return `<g clip-path="${clip}"><g${flip}>${image}</g></g>`;
  },
};

/** Renders video, embed and bookmark shapes as captioned placeholders. */
export const placeholderRenderer: ShapeRenderer<BoxShape> = {
  bounds(shape) {
    return { x: 0, y: 0, w: shape.props.w, h: shape.props.h };
  },
  render(shape) {
    const url = (shape.props as { url?: unknown }).url;
    return placeholderSvg(shape.props.w, shape.props.h, typeof url === 'string' && url ? url : shape.type);
  },
};
