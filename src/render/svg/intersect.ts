/**
 * Intersections used to clip arrows at the outlines of the shapes they bind to.
 */
import type { Vec } from './geometry.ts';

/** Hits of segment a→b with a closed polygon's edges, with t along a→b (0…1). */
export function segmentPolygon(a: Vec, b: Vec, poly: Vec[]): { p: Vec; t: number }[] {
  const hits: { p: Vec; t: number }[] = [];
  const rx = b.x - a.x,
    ry = b.y - a.y;
  for (let i = 0; i < poly.length; i++) {
    const c = poly[i],
      d = poly[(i + 1) % poly.length];
    const sx = d.x - c.x,
      sy = d.y - c.y;
    const den = rx * sy - ry * sx;
    if (Math.abs(den) < 1e-12) continue;
    const t = ((c.x - a.x) * sy - (c.y - a.y) * sx) / den;
    const u = ((c.x - a.x) * ry - (c.y - a.y) * rx) / den;
    if (t >= 0 && t <= 1 && u >= 0 && u <= 1) hits.push({ p: { x: a.x + rx * t, y: a.y + ry * t }, t });
  }
  return hits;
}

/** Points where a circle crosses a closed polygon's edges. */
export function circlePolygon(center: Vec, r: number, poly: Vec[]): Vec[] {
  const hits: Vec[] = [];
  for (let i = 0; i < poly.length; i++) {
    const c = poly[i],
      d = poly[(i + 1) % poly.length];
    const dx = d.x - c.x,
      dy = d.y - c.y;
    const fx = c.x - center.x,
      fy = c.y - center.y;
    const A = dx * dx + dy * dy;
    if (A < 1e-12) continue;
    const B = 2 * (fx * dx + fy * dy);
    const C = fx * fx + fy * fy - r * r;
    const disc = B * B - 4 * A * C;
    if (disc < 0) continue;
    const s = Math.sqrt(disc);
    for (const t of [(-B - s) / (2 * A), (-B + s) / (2 * A)]) {
      if (t >= 0 && t <= 1) hits.push({ x: c.x + dx * t, y: c.y + dy * t });
    }
  }
  return hits;
}

/** Centre and radius of the circle through three points, or null when they are collinear. */
export function circleThrough(a: Vec, b: Vec, c: Vec): { center: Vec; r: number } | null {
  const d = 2 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y));
  if (Math.abs(d) < 1e-9) return null;
  const a2 = a.x * a.x + a.y * a.y,
    b2 = b.x * b.x + b.y * b.y,
    c2 = c.x * c.x + c.y * c.y;
  const center = {
    x: (a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d,
    y: (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d,
  };
  return { center, r: Math.hypot(a.x - center.x, a.y - center.y) };
}

/** True when p lies inside the polygon (even-odd rule). */
export function pointInPolygon(p: Vec, poly: Vec[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i],
      b = poly[j];
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}
