/**
 * 2D vectors, affine matrices and axis-aligned boxes: the little linear algebra the
 * renderer needs to place shapes (page transform = parent × translate × rotate).
 */

/** A point or vector. */
export interface Vec {
  x: number;
  y: number;
}

/** An axis-aligned box. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** An affine matrix [a c e; b d f; 0 0 1], the same layout as SVG's `matrix()`. */
export interface Mat {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

/** The identity matrix. */
export const IDENTITY: Mat = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };

/** Returns m × n (n is applied first). */
export function multiply(m: Mat, n: Mat): Mat {
  return {
    a: m.a * n.a + m.c * n.b,
    b: m.b * n.a + m.d * n.b,
    c: m.a * n.c + m.c * n.d,
    d: m.b * n.c + m.d * n.d,
    e: m.a * n.e + m.c * n.f + m.e,
    f: m.b * n.e + m.d * n.f + m.f,
  };
}

/** A shape's local transform: translate(x, y) then rotate(rotation radians). */
export function localTransform(x: number, y: number, rotation: number): Mat {
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  return { a: cos, b: sin, c: -sin, d: cos, e: x, f: y };
}

/** Inverse of an invertible matrix. */
export function invert(m: Mat): Mat {
  const det = m.a * m.d - m.b * m.c;
  return {
    a: m.d / det,
    b: -m.b / det,
    c: -m.c / det,
    d: m.a / det,
    e: (m.c * m.f - m.d * m.e) / det,
    f: (m.b * m.e - m.a * m.f) / det,
  };
}

/** Applies a matrix to a point. */
export function apply(m: Mat, p: Vec): Vec {
  return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
}

/** SVG `transform` value; short numbers keep big boards small. */
export function matToSvg(m: Mat): string {
  return `matrix(${[m.a, m.b, m.c, m.d, m.e, m.f].map(fmt).join(' ')})`;
}

/** Formats a number with at most 2 decimals (enough for 1/100 px at scale 4). */
export function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Vector helpers. */
export const sub = (a: Vec, b: Vec): Vec => ({ x: a.x - b.x, y: a.y - b.y });
export const add = (a: Vec, b: Vec): Vec => ({ x: a.x + b.x, y: a.y + b.y });
export const mul = (a: Vec, s: number): Vec => ({ x: a.x * s, y: a.y * s });
export const len = (a: Vec): number => Math.hypot(a.x, a.y);
export const dist = (a: Vec, b: Vec): number => Math.hypot(a.x - b.x, a.y - b.y);
export const lerp = (a: Vec, b: Vec, t: number): Vec => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
export const unit = (a: Vec): Vec => {
  const l = len(a);
  return l === 0 ? { x: 0, y: 0 } : { x: a.x / l, y: a.y / l };
};
/** Rotates a vector by `angle` radians (clockwise on screen). */
export const rot = (a: Vec, angle: number): Vec => ({
  x: a.x * Math.cos(angle) - a.y * Math.sin(angle),
  y: a.x * Math.sin(angle) + a.y * Math.cos(angle),
});

/** The smallest box holding the points; null for none. */
export function boxOfPoints(points: Vec[]): Box | null {
  if (points.length === 0) return null;
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const p of points) {
    if (p.x < minX) minX = p.x;
    if (p.y < minY) minY = p.y;
    if (p.x > maxX) maxX = p.x;
    if (p.y > maxY) maxY = p.y;
  }
  return { x: minX, y: minY, w: maxX - minX, h: maxY - minY };
}

/** The four corners of a box. */
export function corners(b: Box): Vec[] {
  return [
    { x: b.x, y: b.y },
    { x: b.x + b.w, y: b.y },
    { x: b.x + b.w, y: b.y + b.h },
    { x: b.x, y: b.y + b.h },
  ];
}

/** Union of two boxes, either of which may be null. */
export function unionBox(a: Box | null, b: Box | null): Box | null {
  if (!a) return b;
  if (!b) return a;
  return boxOfPoints([...corners(a), ...corners(b)]);
}

/** Intersection of two boxes, or null when they do not overlap. */
export function intersectBox(a: Box, b: Box): Box | null {
  const x = Math.max(a.x, b.x);
  const y = Math.max(a.y, b.y);
  const r = Math.min(a.x + a.w, b.x + b.w);
  const bt = Math.min(a.y + a.h, b.y + b.h);
  return r < x || bt < y ? null : { x, y, w: r - x, h: bt - y };
}

/** The axis-aligned page box of a local box under a matrix. */
export function transformBox(m: Mat, b: Box): Box {
  return boxOfPoints(corners(b).map((p) => apply(m, p))) as Box;
}
