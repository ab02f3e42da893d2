/**
 * Arrow shapes: the body (straight, arc or elbow) with its dash style, arrowheads at each
 * tip, and the label on the body, which is cut out around the label box with a mask.
 */
import type { TLArrowShape } from '@tldraw/tlschema';
import { arrowBody, pointAlong, type ArrowBody } from './arrow-body.ts';
import { arrowTerminals } from './arrow-terminals.ts';
import type { RenderContext, ShapeRenderer } from './context.ts';
import { add, boxOfPoints, fmt, mul, rot, type Box, type Vec } from './geometry.ts';
import { isRichTextEmpty, toParagraphs } from './rich-text.ts';
import { dashAttrs, fillSvg } from './style.ts';
import { linesToSvg, textHeight, wrapText, type LaidLine, type TextStyle } from './text-layout.ts';
import { ARROW_LABEL_FONT_SIZE, colorOf, strokeWidth } from './theme.ts';
import { safeId } from './xml.ts';

interface Resolved {
  body: ArrowBody;
  label: { lines: LaidLine[]; style: TextStyle; box: Box } | null;
}

function resolve(shape: TLArrowShape, ctx: RenderContext): Resolved {
  const { start, end } = arrowTerminals(shape, ctx);
  const body = arrowBody(shape, start, end);
  const p = shape.props;
  if (isRichTextEmpty(p.richText)) return { body, label: null };
  const style = { font: p.font, size: (ARROW_LABEL_FONT_SIZE[p.size] ?? 20) * p.scale, color: colorOf(p.labelColor).solid };
  const pad = 4.25 * p.scale;
  // Labels wrap at a readable width rather than the arrow's length.
  const lines = wrapText(ctx.measurer, toParagraphs(p.richText), style, Math.max(160, body.length * 0.8));
  const w = Math.max(...lines.map((l) => l.width)) + pad * 2;
  const h = textHeight(lines.length, style.size) + pad * 2;
  const c = pointAlong(body.samples, p.labelPosition);
  return { body, label: { lines, style, box: { x: c.x - w / 2, y: c.y - h / 2, w, h } } };
}

/** Arrowhead geometry at `tip` pointing along `dir`, as SVG (filled or open). */
function headSvg(kind: string, tip: Vec, dir: Vec, size: number, sw: number, color: string, fill: (d: string) => string): string {
  const back = mul(dir, -size);
  const pt = (v: Vec) => `${fmt(v.x)},${fmt(v.y)}`;
  const side = (a: number) => add(tip, rot(back, a));
  const closed = (pts: Vec[]) => {
    const d = `M${pts.map(pt).join('L')}Z`;
    return `${fill(d)}<path d="${d}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"/>`;
  };
  const perp = { x: -dir.y, y: dir.x };
  switch (kind) {
    case 'arrow':
      return `<path d="M${pt(side(Math.PI / 6))}L${pt(tip)}L${pt(side(-Math.PI / 6))}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"/>`;
    case 'triangle':
      return closed([tip, side(Math.PI / 6), side(-Math.PI / 6)]);
    case 'inverted': {
      const base = add(tip, back);
      return closed([base, add(tip, mul(perp, size / 2)), add(tip, mul(perp, -size / 2))]);
    }
    case 'diamond': {
      const m = add(tip, mul(back, 0.5));
      return closed([tip, add(m, mul(perp, size / 3)), add(tip, back), add(m, mul(perp, -size / 3))]);
    }
    case 'square': {
      const h = mul(perp, size / 2);
      return closed([add(tip, h), add(add(tip, back), h), add(add(tip, back), mul(h, -1)), add(tip, mul(h, -1))]);
    }
    case 'dot': {
      const r = size * 0.45;
      const c = add(tip, mul(dir, -r));
      const d = `M${fmt(c.x - r)},${fmt(c.y)}a${fmt(r)},${fmt(r)} 0 1 0 ${fmt(2 * r)},0a${fmt(r)},${fmt(r)} 0 1 0 ${fmt(-2 * r)},0Z`;
      return `${fill(d)}<path d="${d}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"/>`;
    }
    case 'bar':
      return `<path d="M${pt(add(tip, mul(perp, size / 2)))}L${pt(add(tip, mul(perp, -size / 2)))}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"/>`;
    default:
      // 'none', and 'pipe', which tldraw 5.4.2 does not draw.
      return '';
  }
}

/** Renders `arrow` shapes. */
export const arrowRenderer: ShapeRenderer<TLArrowShape> = {
  bounds(shape, ctx) {
    const { body, label } = resolve(shape, ctx);
    const pts = label
      ? [...body.samples, { x: label.box.x, y: label.box.y }, { x: label.box.x + label.box.w, y: label.box.y + label.box.h }]
      : body.samples;
    return boxOfPoints(pts);
  },
  render(shape, ctx) {
    const p = shape.props;
    const { body, label } = resolve(shape, ctx);
    const sw = strokeWidth(p.size) * p.scale;
    const color = colorOf(p.color).solid;
    const dash = p.dash === 'dashed' || p.dash === 'dotted' ? p.dash : null;
    let bodySvg = '';
    if (p.dash !== 'none') {
      if (body.legs && dash) {
        for (let i = 1; i < body.legs.length; i++) {
          const a = body.legs[i - 1],
            b = body.legs[i];
          bodySvg += `<path d="M${fmt(a.x)},${fmt(a.y)}L${fmt(b.x)},${fmt(b.y)}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"${dashAttrs(Math.hypot(b.x - a.x, b.y - a.y), sw, dash, false)}/>`;
        }
      } else {
        bodySvg = `<path d="${body.d}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"${dash ? dashAttrs(body.length, sw, dash, false) : ''}/>`;
      }
    }
    if (label) {
      const b = boxOfPoints([
        ...body.samples,
        { x: label.box.x, y: label.box.y },
        { x: label.box.x + label.box.w, y: label.box.y + label.box.h },
      ]) as Box;
      const m = 4 * sw;
      const id = `arrow-label-${safeId(shape.id)}`;
      const mask = ctx.defs.use(
        id,
        () =>
          `<mask id="${id}" maskUnits="userSpaceOnUse" x="${fmt(b.x - m)}" y="${fmt(b.y - m)}" width="${fmt(b.w + 2 * m)}" height="${fmt(b.h + 2 * m)}">` +
          `<rect x="${fmt(b.x - m)}" y="${fmt(b.y - m)}" width="${fmt(b.w + 2 * m)}" height="${fmt(b.h + 2 * m)}" fill="white"/>` +
          `<rect x="${fmt(label.box.x)}" y="${fmt(label.box.y)}" width="${fmt(label.box.w)}" height="${fmt(label.box.h)}" rx="${fmt(3.5 * p.scale)}" fill="black"/></mask>`,
      );
      bodySvg = `<g mask="${mask}">${bodySvg}</g>`;
    }
    const headSize = Math.min(3 * sw, Math.max(sw, body.length / 5));
    const fill = (d: string) => fillSvg(d, p.fill, p.color, ctx.defs);
    const heads =
      headSvg(p.arrowheadStart, body.start, body.startDir, headSize, sw, color, fill) +
      headSvg(p.arrowheadEnd, body.end, body.endDir, headSize, sw, color, fill);
    const text = label ? linesToSvg(label.lines, label.style, label.box.x + label.box.w / 2, label.box.y + 4.25 * p.scale, 'middle') : '';
    return bodySvg + heads + text;
  },
};
