/**
 * Freehand shapes: draw (pressure-shaped outlines from perfect-freehand, or a dashed
 * centreline) and highlight (a wide translucent stroke with an underlay below all shapes).
 */
import { b64Vecs, type TLDrawShape, type TLHighlightShape } from '@tldraw/tlschema';
import { getStroke } from 'perfect-freehand';
import type { ShapeRenderer } from './context.ts';
import { boxOfPoints, fmt, matToSvg, type Box, type Vec } from './geometry.ts';
import { fillSvg, simpleDash } from './style.ts';
import { colorOf, HIGHLIGHT_WIDTH, strokeWidth } from './theme.ts';

type Segments = TLDrawShape['props']['segments'];

/** Decodes v5's base64 delta-encoded segments into local points (x,y scaled, z = pressure). */
export function decodeSegments(segments: Segments, scaleX = 1, scaleY = 1): { x: number; y: number; z: number }[] {
  const out: { x: number; y: number; z: number }[] = [];
  for (const seg of segments) {
    const dim = seg.dim === 2 ? 2 : 3;
    for (const p of b64Vecs.decodePoints(seg.path, dim)) out.push({ x: p.x * scaleX, y: p.y * scaleY, z: p.z ?? 0.5 });
  }
  return out;
}

/** A closed SVG path through the outline points using quadratic curves via midpoints. */
export function smoothPolygon(pts: Vec[], closed: boolean): string {
  if (pts.length === 0) return '';
  if (pts.length < 3) return `M${pts.map((p) => `${fmt(p.x)},${fmt(p.y)}`).join('L')}${closed ? 'Z' : ''}`;
  const mid = (a: Vec, b: Vec) => `${fmt((a.x + b.x) / 2)},${fmt((a.y + b.y) / 2)}`;
  let d = closed ? `M${mid(pts[0], pts[1])}` : `M${fmt(pts[0].x)},${fmt(pts[0].y)}`;
  const last = closed ? pts.length : pts.length - 1;
  for (let i = 1; i < last; i++) {
    const p = pts[i];
    const next = pts[(i + 1) % pts.length];
    d += `Q${fmt(p.x)},${fmt(p.y)} ${mid(p, next)}`;
  }
  if (closed) {
    d += `Q${fmt(pts[0].x)},${fmt(pts[0].y)} ${mid(pts[0], pts[1])}Z`;
  } else {
    const end = pts[pts.length - 1];
    d += `L${fmt(end.x)},${fmt(end.y)}`;
  }
  return d;
}

function isComplete(shape: TLDrawShape | TLHighlightShape): boolean {
  const segs = shape.props.segments;
  return shape.props.isComplete || segs[segs.length - 1]?.type === 'straight';
}

/** Renders `draw` shapes. */
export const drawRenderer: ShapeRenderer<TLDrawShape> = {
  bounds(shape) {
    return boxOfPoints(decodeSegments(shape.props.segments, shape.props.scaleX, shape.props.scaleY));
  },
  render(shape, ctx) {
    const p = shape.props;
    const pts = decodeSegments(p.segments, p.scaleX, p.scaleY);
    if (pts.length === 0) return '';
    const sw = (strokeWidth(p.size) + 1) * p.scale;
    const color = colorOf(p.color).solid;
    if (pts.length === 1 || boxOfPoints(pts)!.w + boxOfPoints(pts)!.h === 0) {
      return `<circle cx="${fmt(pts[0].x)}" cy="${fmt(pts[0].y)}" r="${fmt(sw / 2)}" fill="${color}"/>`;
    }
    const fill = p.isClosed ? fillSvg(smoothPolygon(pts, true), p.fill, p.color, ctx.defs) : '';
    if (p.dash !== 'draw') {
      if (p.dash === 'none') return fill;
      return (
        fill +
        `<path d="${smoothPolygon(pts, p.isClosed)}" fill="none" stroke="${color}" stroke-width="${fmt(sw)}"${simpleDash(p.dash, sw)}/>`
      );
    }
    const outline = getStroke(pts, {
      size: sw * 1.25,
      thinning: p.isPen ? 0.65 : 0.5,
      smoothing: 0.62,
      streamline: p.isPen ? 0.4 : 0.62,
      simulatePressure: !p.isPen,
      last: isComplete(shape),
      start: { taper: false, cap: true },
      end: { taper: false, cap: true },
    });
    const outPts = outline.map(([x, y]) => ({ x, y }));
    return `${fill}<path d="${smoothPolygon(outPts, true)}" fill="${color}"/>`;
  },
};

/** Renders `highlight` shapes: overlay here, underlay pushed to the page background layer. */
export const highlightRenderer: ShapeRenderer<TLHighlightShape> = {
  bounds(shape) {
    const b = boxOfPoints(decodeSegments(shape.props.segments, shape.props.scaleX, shape.props.scaleY));
    if (!b) return null;
    const r = ((HIGHLIGHT_WIDTH[shape.props.size] ?? 26.88) * shape.props.scale) / 2;
    return { x: b.x - r, y: b.y - r, w: b.w + 2 * r, h: b.h + 2 * r } satisfies Box;
  },
  render(shape, ctx) {
    const p = shape.props;
    const pts = decodeSegments(p.segments, p.scaleX, p.scaleY);
    if (pts.length === 0) return '';
    const sw = (HIGHLIGHT_WIDTH[p.size] ?? 26.88) * p.scale;
    const d = pts.length === 1 ? `M${fmt(pts[0].x)},${fmt(pts[0].y)}l0.01,0` : smoothPolygon(pts, false);
    const stroke = (opacity: number) =>
      `<path d="${d}" fill="none" stroke="${colorOf(p.color).highlight}" stroke-width="${fmt(sw)}" stroke-linecap="round" opacity="${opacity}"/>`;
    ctx.underlay.push(`<g transform="${matToSvg(ctx.pageTransform(shape.id))}">${stroke(0.82)}</g>`);
    return stroke(0.35);
  },
};
