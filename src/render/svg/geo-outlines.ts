/**
 * Outlines of the 20 geo kinds in a w × h box. Polygons stay point lists so dashes can be
 * fitted edge by edge; curved kinds are SVG paths with an estimated length.
 */
import type { Vec } from './geometry.ts';
import { dist } from './geometry.ts';

/** A stroked outline: a polyline/polygon, or a curved path with its approximate length. */
export type Outline =
  | { type: 'poly'; points: Vec[]; closed: boolean }
  | { type: 'path'; d: string; length: number; closed: boolean; samples: Vec[] };

/** The main outline (first, fillable) plus any inner lines of a geo kind. */
export function geoOutlines(geo: string, w: number, h: number, seed: string): Outline[] {
  const poly = (pts: [number, number][], closed = true): Outline => ({ type: 'poly', points: pts.map(([x, y]) => ({ x, y })), closed });
  // The whole w × h box: the rectangle, and the frame of x-box and check-box.
  const box = () =>
    poly([
      [0, 0],
      [w, 0],
      [w, h],
      [0, h],
    ]);
  const slant = Math.min(w * 0.38, h * 0.38);
  switch (geo) {
    case 'ellipse':
      return [ellipse(w, h)];
    case 'triangle':
      return [
        poly([
          [w / 2, 0],
          [w, h],
          [0, h],
        ]),
      ];
    case 'diamond':
      return [
        poly([
          [w / 2, 0],
          [w, h / 2],
          [w / 2, h],
          [0, h / 2],
        ]),
      ];
    case 'pentagon':
      return [{ type: 'poly', points: regular(5, -Math.PI / 2, w, h), closed: true }];
    case 'hexagon':
      return [{ type: 'poly', points: regular(6, -Math.PI / 2, w, h), closed: true }];
    case 'octagon':
      return [{ type: 'poly', points: regular(8, -Math.PI / 2 + Math.PI / 8, w, h), closed: true }];
    case 'star':
      return [{ type: 'poly', points: star(w, h), closed: true }];
    case 'oval':
      return [oval(w, h)];
    case 'rhombus':
      return [
        poly([
          [slant, 0],
          [w, 0],
          [w - slant, h],
          [0, h],
        ]),
      ];
    case 'rhombus-2':
      return [
        poly([
          [0, 0],
          [w - slant, 0],
          [w, h],
          [slant, h],
        ]),
      ];
    case 'trapezoid':
      return [
        poly([
          [slant, 0],
          [w - slant, 0],
          [w, h],
          [0, h],
        ]),
      ];
    case 'arrow-right':
    case 'arrow-left':
    case 'arrow-up':
    case 'arrow-down':
      return [{ type: 'poly', points: blockArrow(geo, w, h), closed: true }];
    case 'x-box':
      return [
        box(),
        poly(
          [
            [0, 0],
            [w, h],
          ],
          false,
        ),
        poly(
          [
            [w, 0],
            [0, h],
          ],
          false,
        ),
      ];
    case 'check-box': {
      const s = Math.min(w, h) * 0.82;
      const ox = (w - s) / 2;
      const oy = (h - s) / 2;
      const tick: [number, number][] = [
        [ox + 0.25 * s, oy + 0.52 * s],
        [ox + 0.45 * s, oy + 0.7 * s],
        [ox + 0.75 * s, oy + 0.3 * s],
      ];
      return [box(), poly(tick, false)];
    }
    case 'heart':
      return [heart(w, h)];
    case 'cloud':
      return [cloud(w, h, seed)];
    default:
      return [box()];
  }
}

/** Points of a closed path outline, sampled (used for arrow clipping and bounds). */
export function outlinePoints(o: Outline): Vec[] {
  return o.type === 'poly' ? o.points : o.samples;
}

/** Regular polygon vertices, stretched so their bounding box fills w × h. */
function regular(n: number, start: number, w: number, h: number): Vec[] {
  const raw = Array.from({ length: n }, (_, i) => ({
    x: Math.cos(start + (i * 2 * Math.PI) / n),
    y: Math.sin(start + (i * 2 * Math.PI) / n),
  }));
  return fit(raw, w, h);
}

function star(w: number, h: number): Vec[] {
  const raw = Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 === 0 ? 1 : 0.45;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    return { x: Math.cos(a) * r, y: Math.sin(a) * r };
  });
  return fit(raw, w, h);
}

function fit(raw: Vec[], w: number, h: number): Vec[] {
  const minX = Math.min(...raw.map((p) => p.x)),
    maxX = Math.max(...raw.map((p) => p.x));
  const minY = Math.min(...raw.map((p) => p.y)),
    maxY = Math.max(...raw.map((p) => p.y));
  return raw.map((p) => ({ x: ((p.x - minX) / (maxX - minX)) * w, y: ((p.y - minY) / (maxY - minY)) * h }));
}

function blockArrow(kind: string, w: number, h: number): Vec[] {
  // Build the right-pointing arrow in a box whose "length" axis is horizontal, then rotate.
  const horizontal = kind === 'arrow-right' || kind === 'arrow-left';
  const L = horizontal ? w : h;
  const C = horizontal ? h : w;
  const head = 0.38 * Math.min(w, h);
  const inset = 0.16 * C;
  const pts: [number, number][] = [
    [0, inset],
    [L - head, inset],
    [L - head, 0],
    [L, C / 2],
    [L - head, C],
    [L - head, C - inset],
    [0, C - inset],
  ];
  return pts.map(([a, b]) => {
    switch (kind) {
      case 'arrow-left':
        return { x: L - a, y: b };
      case 'arrow-down':
        return { x: b, y: a };
      case 'arrow-up':
        return { x: b, y: L - a };
      default:
        return { x: a, y: b };
    }
  });
}

function sampled(d: string, samples: Vec[], closed = true): Outline {
  let length = 0;
  for (let i = 1; i < samples.length; i++) length += dist(samples[i - 1], samples[i]);
  return { type: 'path', d, length, closed, samples };
}

function ellipse(w: number, h: number): Outline {
  const rx = w / 2,
    ry = h / 2;
  const samples = Array.from({ length: 65 }, (_, i) => ({
    x: rx + rx * Math.cos((i / 64) * 2 * Math.PI),
    y: ry + ry * Math.sin((i / 64) * 2 * Math.PI),
  }));
  return sampled(`M0,${ry}A${rx},${ry} 0 1 1 ${w},${ry}A${rx},${ry} 0 1 1 0,${ry}Z`, samples);
}

function oval(w: number, h: number): Outline {
  if (w === h) return ellipse(w, h);
  const r = Math.min(w, h) / 2;
  const d =
    w > h
      ? `M${r},0H${w - r}A${r},${r} 0 0 1 ${w - r},${h}H${r}A${r},${r} 0 0 1 ${r},0Z`
      : `M${w},${r}V${h - r}A${r},${r} 0 0 1 0,${h - r}V${r}A${r},${r} 0 0 1 ${w},${r}Z`;
  const samples: Vec[] = [];
  const c1 = w > h ? { x: w - r, y: r } : { x: r, y: h - r };
  const c2 = w > h ? { x: r, y: r } : { x: r, y: r };
  const a1 = w > h ? -Math.PI / 2 : 0;
  for (let i = 0; i <= 16; i++)
    samples.push({ x: c1.x + r * Math.cos(a1 + (i / 16) * Math.PI), y: c1.y + r * Math.sin(a1 + (i / 16) * Math.PI) });
  for (let i = 0; i <= 16; i++)
    samples.push({ x: c2.x + r * Math.cos(a1 + Math.PI + (i / 16) * Math.PI), y: c2.y + r * Math.sin(a1 + Math.PI + (i / 16) * Math.PI) });
  samples.push(samples[0]);
  return sampled(d, samples);
}

function heart(w: number, h: number): Outline {
  // Two lobes meeting in a dip at (w/2, 0.3h) and a point at (w/2, h).
  const segs: [Vec, Vec, Vec, Vec][] = [
    [
      { x: w / 2, y: h * 0.3 },
      { x: w * 0.5, y: 0 },
      { x: 0, y: -h * 0.05 },
      { x: 0, y: h * 0.3 },
    ],
    [
      { x: 0, y: h * 0.3 },
      { x: 0, y: h * 0.6 },
      { x: w * 0.4, y: h * 0.8 },
      { x: w / 2, y: h },
    ],
    [
      { x: w / 2, y: h },
      { x: w * 0.6, y: h * 0.8 },
      { x: w, y: h * 0.6 },
      { x: w, y: h * 0.3 },
    ],
    [
      { x: w, y: h * 0.3 },
      { x: w, y: -h * 0.05 },
      { x: w * 0.5, y: 0 },
      { x: w / 2, y: h * 0.3 },
    ],
  ];
  let d = `M${segs[0][0].x},${segs[0][0].y}`;
  const samples: Vec[] = [];
  for (const [p0, p1, p2, p3] of segs) {
    d += `C${p1.x},${p1.y} ${p2.x},${p2.y} ${p3.x},${p3.y}`;
    for (let i = 0; i <= 12; i++) samples.push(cubicAt(p0, p1, p2, p3, i / 12));
  }
  return sampled(`${d}Z`, samples);
}

function cubicAt(p0: Vec, p1: Vec, p2: Vec, p3: Vec, t: number): Vec {
  const u = 1 - t;
  return {
    x: u * u * u * p0.x + 3 * u * u * t * p1.x + 3 * u * t * t * p2.x + t * t * t * p3.x,
    y: u * u * u * p0.y + 3 * u * u * t * p1.y + 3 * u * t * t * p2.y + t * t * t * p3.y,
  };
}

/** A cloud: outward circular bumps between points on an inset ellipse, jittered by a seed. */
function cloud(w: number, h: number, seed: string): Outline {
  const rand = seededRandom(seed);
  const bump = Math.max(8, Math.min(w, h) / 6);
  const rx = w / 2 - bump * 0.6,
    ry = h / 2 - bump * 0.6;
  const perimeter = Math.PI * (3 * (rx + ry) - Math.sqrt((3 * rx + ry) * (rx + 3 * ry)));
  const count = Math.max(6, Math.round(perimeter / (bump * 2)));
  const pts = Array.from({ length: count }, (_, i) => {
    const a = ((i + (rand() - 0.5) * 0.4) / count) * 2 * Math.PI - Math.PI / 2;
    return { x: w / 2 + rx * Math.cos(a), y: h / 2 + ry * Math.sin(a) };
  });
  let d = `M${pts[0].x},${pts[0].y}`;
  const samples: Vec[] = [];
  for (let i = 0; i < count; i++) {
    const a = pts[i],
      b = pts[(i + 1) % count];
    const chord = dist(a, b);
    const r = chord * 0.62;
    d += `A${r},${r} 0 0 1 ${b.x},${b.y}`;
    samples.push(...arcSamples(a, b, r, 6));
  }
  return sampled(`${d}Z`, samples);
}

/** Points along the clockwise (sweep 1) minor arc of radius r from a to b. */
function arcSamples(a: Vec, b: Vec, r: number, n: number): Vec[] {
  const mx = (a.x + b.x) / 2,
    my = (a.y + b.y) / 2;
  const half = dist(a, b) / 2;
  const off = Math.sqrt(Math.max(0, r * r - half * half));
  const nx = -(b.y - a.y) / (2 * half),
    ny = (b.x - a.x) / (2 * half);
  const c = { x: mx + nx * off, y: my + ny * off };
  const a0 = Math.atan2(a.y - c.y, a.x - c.x);
  let a1 = Math.atan2(b.y - c.y, b.x - c.x);
  if (a1 < a0) a1 += 2 * Math.PI;
  return Array.from({ length: n + 1 }, (_, i) => ({
    x: c.x + r * Math.cos(a0 + ((a1 - a0) * i) / n),
    y: c.y + r * Math.sin(a0 + ((a1 - a0) * i) / n),
  }));
}

/** A small deterministic PRNG (mulberry32) seeded from a string, so clouds are stable per id. */
export function seededRandom(seed: string): () => number {
  let s = 0;
  for (let i = 0; i < seed.length; i++) s = (Math.imul(s, 31) + seed.charCodeAt(i)) | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
