/**
 * Draws one page of a validated board as a standalone SVG: shapes in z-order (depth-first
 * by fractional index), each in a `<g data-shape-id>` with its page transform and effective
 * opacity, frame children clipped, on the content bounds plus padding.
 */
import type { TLArrowBinding, TLAsset, TLPage, TLShape } from '@tldraw/tlschema';
import { TextMeasurer } from '../fonts.ts';
import type { ExportLog, PictureOptions, ValidBoard } from '../types.ts';
import type { RenderContext } from './context.ts';
import { Defs } from './defs.ts';
import { fmt, IDENTITY, intersectBox, localTransform, matToSvg, multiply, transformBox, unionBox, type Box, type Mat } from './geometry.ts';
import { localOutline, rendererFor } from './shapes.ts';
import { THEME } from './theme.ts';
import { safeId } from './xml.ts';

/** Options of {@link renderSvg}. */
export interface SvgRenderOptions extends PictureOptions {
  log?: ExportLog;
  /** Reuse one measurer across renders to keep parsed fonts. */
  measurer?: TextMeasurer;
}

/** The SVG document and its size in page units. */
export interface SvgResult {
  svg: string;
  width: number;
  height: number;
}

/** Size of the picture of a page with nothing on it. */
const BLANK_SIZE = 64;
/** tldraw's default export padding. */
export const DEFAULT_PADDING = 32;

const byIndex = (a: { index: string }, b: { index: string }) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0);

/**
 * Pages of a board sorted by index. A page that shapes sit on but whose record is missing
 * (older whiteboard clients never wrote the first page of a new board) is a page too,
 * after the others, so those shapes are drawn rather than lost from every picture.
 */
export function sortedPages(board: ValidBoard): TLPage[] {
  const pages = board.records.filter((r): r is TLPage => r.typeName === 'page').sort(byIndex);
  const known = new Set<string>(pages.map((page) => page.id));
  const implied = new Set<string>();
  for (const r of board.records) {
    if (r.typeName === 'shape' && r.parentId.startsWith('page:') && !known.has(r.parentId)) implied.add(r.parentId);
  }
  const last = pages.at(-1)?.index ?? 'a0';
  const extra = [...implied].sort().map((id, i) => {
    const page = { id, typeName: 'page', name: `Page ${pages.length + i + 1}`, index: `${last}${String(i).padStart(3, '0')}`, meta: {} };
    return page as unknown as TLPage;
  });
  return [...pages, ...extra];
}

/**
 * Renders a page of the board to SVG.
 * @throws Error when `pageId` names no page of the board.
 */
export function renderSvg(board: ValidBoard, options: SvgRenderOptions = {}): SvgResult {
  const pages = sortedPages(board);
  const page = options.pageId ? pages.find((p) => p.id === options.pageId) : pages[0];
  if (options.pageId && !page) throw new Error(`Page "${options.pageId}" is not in the board`);
  const shapes = new Map<string, TLShape>();
  const children = new Map<string, TLShape[]>();
  const bindingsByArrow = new Map<string, TLArrowBinding[]>();
  const assets = new Map<string, TLAsset>();
  for (const r of board.records) {
    if (r.typeName === 'shape') {
      shapes.set(r.id, r);
      const list = children.get(r.parentId) ?? [];
      list.push(r);
      children.set(r.parentId, list);
    } else if (r.typeName === 'binding' && r.type === 'arrow') {
      const list = bindingsByArrow.get(r.fromId) ?? [];
      list.push(r as TLArrowBinding);
      bindingsByArrow.set(r.fromId, list);
    } else if (r.typeName === 'asset') assets.set(r.id, r);
  }
  for (const list of children.values()) list.sort(byIndex);

  const transforms = new Map<string, Mat>();
  const pageTransform = (id: string): Mat => {
    const cached = transforms.get(id);
    if (cached) return cached;
    const s = shapes.get(id);
    if (!s) return IDENTITY;
    // A cycle in parentIds would recurse forever; tldraw's validator does not rule it out.
    transforms.set(id, IDENTITY);
    const m = multiply(s.parentId.startsWith('shape:') ? pageTransform(s.parentId) : IDENTITY, localTransform(s.x, s.y, s.rotation));
    transforms.set(id, m);
    return m;
  };
  const ctx: RenderContext = {
    measurer: options.measurer ?? new TextMeasurer(),
    defs: new Defs(),
    shapes,
    pageTransform,
    bindingsByArrow,
    assets,
    underlay: [],
    localOutline: (shape) => localOutline(shape, ctx),
  };

  let bounds: Box | null = null;
  const visited = new Set<string>();
  const walk = (parentId: string, opacity: number, clips: { id: string; box: Box }[]): string => {
    let out = '';
    for (const shape of children.get(parentId) ?? []) {
      if (visited.has(shape.id)) continue;
      visited.add(shape.id);
      const eff = opacity * shape.opacity;
      const myClips = shape.type === 'arrow' ? [] : clips;
      if (shape.type !== 'group') out += drawShape(shape, eff, myClips);
      let childClips = clips;
      if (shape.type === 'frame') {
        const m = pageTransform(shape.id);
        const { w, h } = shape.props as { w: number; h: number };
        const id = `clip-${safeId(shape.id)}`;
        ctx.defs.use(id, () => `<clipPath id="${id}"><rect width="${fmt(w)}" height="${fmt(h)}" transform="${matToSvg(m)}"/></clipPath>`);
        childClips = [...clips, { id, box: transformBox(m, { x: 0, y: 0, w, h }) }];
      }
      out += walk(shape.id, eff, childClips);
    }
    return out;
  };
  const drawShape = (shape: TLShape, opacity: number, clips: { id: string; box: Box }[]): string => {
    const renderer = rendererFor(shape.type);
    if (!renderer) return '';
    try {
      const local = renderer.bounds(shape, ctx);
      let box: Box | null = local ? transformBox(pageTransform(shape.id), local) : null;
      for (const c of clips) box = box && intersectBox(box, c.box);
      bounds = unionBox(bounds, box);
      const body = renderer.render(shape, ctx);
      let g = `<g data-shape-id="${safeAttr(shape.id)}" data-shape-type="${safeAttr(shape.type)}" transform="${matToSvg(pageTransform(shape.id))}"${opacity < 1 ? ` opacity="${fmt(opacity)}"` : ''}>${body}</g>`;
      for (const c of clips) g = `<g clip-path="url(#${c.id})">${g}</g>`;
      return g;
    } catch (error) {
      options.log?.warn({ shapeId: shape.id, err: String(error) }, 'export: shape could not be drawn, skipped');
      return '';
    }
  };
  const body = page ? walk(page.id, 1, []) : '';
  return wrapSvg(body, ctx, bounds, options);
}

function safeAttr(v: string): string {
  return v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function wrapSvg(body: string, ctx: RenderContext, bounds: Box | null, options: SvgRenderOptions): SvgResult {
  const pad = Math.max(0, options.padding ?? DEFAULT_PADDING);
  // Snap outwards to whole units so raster sizes are exactly width × scale.
  const x = bounds ? Math.floor(bounds.x - pad) : 0;
  const y = bounds ? Math.floor(bounds.y - pad) : 0;
  const box = bounds
    ? { x, y, w: Math.max(1, Math.ceil(bounds.x + bounds.w + pad) - x), h: Math.max(1, Math.ceil(bounds.y + bounds.h + pad) - y) }
    : { x, y, w: BLANK_SIZE, h: BLANK_SIZE };
  const view = `${fmt(box.x)} ${fmt(box.y)} ${fmt(box.w)} ${fmt(box.h)}`;
  const bg =
    options.background === false
      ? ''
      : `<rect x="${fmt(box.x)}" y="${fmt(box.y)}" width="${fmt(box.w)}" height="${fmt(box.h)}" fill="${THEME.background}"/>`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${fmt(box.w)}" height="${fmt(box.h)}" viewBox="${view}" stroke-linecap="round" stroke-linejoin="round">` +
    `${ctx.defs.toSvg()}${bg}${ctx.underlay.join('')}${body}</svg>`;
  return { svg, width: box.w, height: box.h };
}
