/**
 * Line shapes: the handle points in index order, joined straight (`line`) or through a
 * smooth Catmull-Rom curve (`cubic`), stroked in the dash style.
 */
import type { TLLineShape } from '@tldraw/tlschema';
import type { ShapeRenderer } from './context.ts';
import { boxOfPoints, fmt, type Vec } from './geometry.ts';
import { strokeSvg } from './style.ts';
import { colorOf, strokeWidth } from './theme.ts';

/** The line's points sorted by their fractional index (code-unit order). */
export function linePoints(shape: TLLineShape): Vec[] {
  return Object.values(shape.props.points)
    .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0))
    .map((p) => ({ x: p.x, y: p.y }));
}

// Catmull-Rom through the points, written as cubic Béziers.
function cubicD(pts: Vec[]): string {
  let d = `M${fmt(pts[0].x)},${fmt(pts[0].y)}`;
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = pts[i - 1] ?? pts[i],
      p1 = pts[i],
      p2 = pts[i + 1],
      p3 = pts[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += `C${fmt(c1.x)},${fmt(c1.y)} ${fmt(c2.x)},${fmt(c2.y)} ${fmt(p2.x)},${fmt(p2.y)}`;
  }
  return d;
}

/** Renders `line` shapes. */
export const lineRenderer: ShapeRenderer<TLLineShape> = {
  bounds(shape) {
    return boxOfPoints(linePoints(shape));
  },
  render(shape) {
    const p = shape.props;
    const pts = linePoints(shape);
    if (pts.length < 2) return '';
    const sw = strokeWidth(p.size) * p.scale;
    const color = colorOf(p.color).solid;
    if (p.spline === 'cubic') {
      let length = 0;
      for (let i = 1; i < pts.length; i++) length += Math.hypot(pts[i].x - pts[i - 1].x, pts[i].y - pts[i - 1].y);
      return strokeSvg({ type: 'path', d: cubicD(pts), length, closed: false, samples: pts }, p.dash, sw, color);
    }
    return strokeSvg({ type: 'poly', points: pts, closed: false }, p.dash, sw, color);
  },
};
