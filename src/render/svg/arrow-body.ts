/**
 * The arrow's body between its terminals: a straight segment, a circular arc (|bend| ≥ 8 ×
 * scale) or an elbow route; ends clipped at bound outlines and pulled back by head gaps.
 */
import type { TLArrowShape } from '@tldraw/tlschema';
import type { Terminal } from './arrow-terminals.ts';
import { add, dist, fmt, lerp, mul, sub, unit, type Vec } from './geometry.ts';
import { circlePolygon, circleThrough, segmentPolygon } from './intersect.ts';

/** The resolved body: path data, samples along it, and the direction at each tip. */
export interface ArrowBody {
  d: string;
  length: number;
  /** Points along the body from start to end (for bounds and the label position). */
  samples: Vec[];
  start: Vec;
  end: Vec;
  /** Unit vectors pointing out of the body at each tip (where the head points). */
  startDir: Vec;
  endDir: Vec;
  /** Straight legs (elbow) so dashes can be fitted per leg; null for one run. */
  legs: Vec[] | null;
}

/** Computes the body of an arrow from its two terminals. */
export function arrowBody(shape: TLArrowShape, s: Terminal, e: Terminal): ArrowBody {
  if (shape.props.kind === 'elbow') return elbow(shape, s, e);
  if (Math.abs(shape.props.bend) >= 8 * shape.props.scale) {
    const arc = arcBody(shape, s, e);
    if (arc) return arc;
  }
  return straight(s, e);
}

function straight(s: Terminal, e: Terminal): ArrowBody {
  let a = s.point,
    b = e.point;
  if (s.outline)
    a =
      nearest(
        segmentPolygon(s.point, e.point, s.outline).map((h) => h.p),
        e.point,
      ) ?? a;
  if (e.outline)
    b =
      nearest(
        segmentPolygon(s.point, e.point, e.outline).map((h) => h.p),
        a,
      ) ?? b;
  const dir = unit(sub(b, a));
  // Pull back for arrowheads unless that would leave (almost) nothing of the arrow.
  if (dist(a, b) > s.gap + e.gap + 10) {
    a = add(a, mul(dir, s.gap));
    b = sub(b, mul(dir, e.gap));
  }
  return {
    d: `M${fmt(a.x)},${fmt(a.y)}L${fmt(b.x)},${fmt(b.y)}`,
    length: dist(a, b),
    samples: [a, b],
    start: a,
    end: b,
    startDir: mul(dir, -1),
    endDir: dir,
    legs: null,
  };
}

function nearest(points: Vec[], to: Vec): Vec | null {
  let best: Vec | null = null;
  for (const p of points) if (!best || dist(p, to) < dist(best, to)) best = p;
  return best;
}

function arcBody(shape: TLArrowShape, s: Terminal, e: Terminal): ArrowBody | null {
  const a = s.point,
    b = e.point;
  const u = unit(sub(b, a));
  // Positive bend bulges to the right of the direction of travel (y points down).
  const mid = add(lerp(a, b, 0.5), mul({ x: -u.y, y: u.x }, shape.props.bend));
  const circle = circleThrough(a, mid, b);
  if (!circle) return null;
  const { center, r } = circle;
  const angle = (p: Vec) => Math.atan2(p.y - center.y, p.x - center.x);
  const norm = (x: number) => ((x % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  const a0 = angle(a);
  // Travel direction: +1 when going clockwise from a reaches mid before b.
  const dirSign = norm(angle(mid) - a0) < norm(angle(b) - a0) ? 1 : -1;
  const span = norm(dirSign * (angle(b) - a0));
  const tOf = (p: Vec) => norm(dirSign * (angle(p) - a0)) / span;
  let t0 = 0,
    t1 = 1;
  // The arc leaves the start shape at its first crossing and enters the end shape at its last.
  if (s.outline)
    t0 = Math.min(
      1,
      ...circlePolygon(center, r, s.outline)
        .map(tOf)
        .filter((t) => t <= 1),
    );
  if (e.outline)
    t1 = Math.max(
      0,
      ...circlePolygon(center, r, e.outline)
        .map(tOf)
        .filter((t) => t >= 0 && t <= 1),
    );
  if (t0 === 1) t0 = 0;
  if (t1 === 0) t1 = 1;
  const gapT = (g: number) => g / (r * span);
  if ((t1 - t0) * r * span > s.gap + e.gap + 10) {
    t0 += gapT(s.gap);
    t1 -= gapT(e.gap);
  }
  const at = (t: number) => {
    const th = a0 + dirSign * t * span;
    return { x: center.x + r * Math.cos(th), y: center.y + r * Math.sin(th) };
  };
  const tangent = (t: number) => {
    const th = a0 + dirSign * t * span;
    return { x: -Math.sin(th) * dirSign, y: Math.cos(th) * dirSign };
  };
  const start = at(t0),
    end = at(t1);
  const sweepSpan = (t1 - t0) * span;
  const samples = Array.from({ length: 33 }, (_, i) => at(t0 + ((t1 - t0) * i) / 32));
  return {
    d: `M${fmt(start.x)},${fmt(start.y)}A${fmt(r)},${fmt(r)} 0 ${sweepSpan > Math.PI ? 1 : 0} ${dirSign > 0 ? 1 : 0} ${fmt(end.x)},${fmt(end.y)}`,
    length: r * sweepSpan,
    samples,
    start,
    end,
    startDir: mul(tangent(t0), -1),
    endDir: tangent(t1),
    legs: null,
  };
}

function elbow(shape: TLArrowShape, s: Terminal, e: Terminal): ArrowBody {
  const a = s.point,
    b = e.point;
  const horizontal = Math.abs(b.x - a.x) >= Math.abs(b.y - a.y);
  const m = shape.props.elbowMidPoint;
  const route: Vec[] = horizontal
    ? [a, { x: a.x + (b.x - a.x) * m, y: a.y }, { x: a.x + (b.x - a.x) * m, y: b.y }, b]
    : [a, { x: a.x, y: a.y + (b.y - a.y) * m }, { x: b.x, y: a.y + (b.y - a.y) * m }, b];
  if (s.outline)
    route[0] =
      nearest(
        segmentPolygon(route[0], route[1], s.outline).map((h) => h.p),
        route[1],
      ) ?? route[0];
  if (e.outline)
    route[3] =
      nearest(
        segmentPolygon(route[2], route[3], e.outline).map((h) => h.p),
        route[2],
      ) ?? route[3];
  const d0 = unit(sub(route[1], route[0])),
    d1 = unit(sub(route[3], route[2]));
  if (dist(route[0], route[1]) > s.gap) route[0] = add(route[0], mul(d0, s.gap));
  if (dist(route[2], route[3]) > e.gap) route[3] = sub(route[3], mul(d1, e.gap));
  let length = 0;
  for (let i = 1; i < route.length; i++) length += dist(route[i - 1], route[i]);
  return {
    d: route.map((p, i) => `${i ? 'L' : 'M'}${fmt(p.x)},${fmt(p.y)}`).join(''),
    length,
    samples: route,
    start: route[0],
    end: route[3],
    startDir: mul(d0, -1),
    endDir: d1,
    legs: route,
  };
}

/** The point at fraction t (0…1) of the body's length, walking its samples. */
export function pointAlong(samples: Vec[], t: number): Vec {
  let total = 0;
  for (let i = 1; i < samples.length; i++) total += dist(samples[i - 1], samples[i]);
  let left = total * Math.min(1, Math.max(0, t));
  for (let i = 1; i < samples.length; i++) {
    const seg = dist(samples[i - 1], samples[i]);
    if (left <= seg) return lerp(samples[i - 1], samples[i], seg === 0 ? 0 : left / seg);
    left -= seg;
  }
  return samples[samples.length - 1];
}
