/**
 * Geo shapes: the outline of the geo kind, its fill and dashed or solid stroke, flips,
 * and the label centred in the (w × h+growY) box.
 */
import type { TLGeoShape } from '@tldraw/tlschema';
import type { ShapeRenderer } from './context.ts';
import { geoOutlines } from './geo-outlines.ts';
import { boxLabelSvg } from './label.ts';
import { fillSvg, outlineD, strokeSvg } from './style.ts';
import { colorOf, LABEL_FONT_SIZE, strokeWidth } from './theme.ts';
import { fmt } from './geometry.ts';

/** Renders `geo` shapes. */
export const geoRenderer: ShapeRenderer<TLGeoShape> = {
  bounds(shape) {
    return { x: 0, y: 0, w: shape.props.w, h: shape.props.h + shape.props.growY };
  },
  render(shape, ctx) {
    const p = shape.props;
    const h = p.h + p.growY;
    const sw = strokeWidth(p.size) * p.scale;
    const outlines = geoOutlines(p.geo, p.w, h, shape.id);
    let body = fillSvg(outlineD(outlines[0]), p.fill, p.color, ctx.defs);
    for (const o of outlines) body += strokeSvg(o, p.dash, sw, colorOf(p.color).solid);
    if (p.flipX || p.flipY) {
      const m = [p.flipX ? -1 : 1, 0, 0, p.flipY ? -1 : 1, p.flipX ? p.w : 0, p.flipY ? h : 0];
      body = `<g transform="matrix(${m.map(fmt).join(' ')})">${body}</g>`;
    }
    const style = { font: p.font, size: (LABEL_FONT_SIZE[p.size] ?? 22) * p.scale, color: colorOf(p.labelColor).solid };
    const label = boxLabelSvg(p.richText, style, { w: p.w, h, padding: 16 * p.scale, align: p.align, verticalAlign: p.verticalAlign }, ctx);
    return body + label;
  },
};
