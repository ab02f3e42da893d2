/**
 * Turns tldraw's fill and dash styles into SVG: fills (none, semi, solid, pattern, fill,
 * lined-fill) and strokes whose dashes are fitted per edge so each edge starts and ends on
 * a dash, as tldraw does.
 */
import type { Defs } from './defs.ts';
import { dist, fmt, type Vec } from './geometry.ts';
import type { Outline } from './geo-outlines.ts';
import { colorOf, THEME } from './theme.ts';
import { safeId } from './xml.ts';

/** SVG path data of an outline. */
export function outlineD(o: Outline): string {
  if (o.type === 'path') return o.d;
  const d = o.points.map((p, i) => `${i ? 'L' : 'M'}${fmt(p.x)},${fmt(p.y)}`).join('');
  return o.closed ? `${d}Z` : d;
}

/**
 * Fill elements for path data `d`: nothing, a plain fill, or for `pattern` the pattern
 * colour under a tile of near-white with diagonal hatching cut out.
 */
export function fillSvg(d: string, fill: unknown, color: unknown, defs: Defs): string {
  const c = colorOf(color);
  switch (fill) {
    case 'semi':
      return `<path d="${d}" fill="${THEME.solid}"/>`;
    case 'solid':
      return `<path d="${d}" fill="${c.semi}"/>`;
    case 'fill':
      return `<path d="${d}" fill="${c.solid}"/>`;
    case 'lined-fill':
      return `<path d="${d}" fill="${c.linedFill}"/>`;
    case 'pattern': {
      const url = defs.use(`hatch-${safeId(String(color))}`, () => hatchPattern(`hatch-${safeId(String(color))}`, c.pattern));
      return `<path d="${d}" fill="${c.pattern}"/><path d="${d}" fill="${url}"/>`;
    }
    default:
      return '';
  }
}

// An 8×8 tile: theme solid with three "/" strokes in the pattern colour. Drawing the strokes
// instead of masking them out looks the same and also survives svg-to-pdfkit.
function hatchPattern(id: string, color: string): string {
  const lines = [
    [0.667, 2, 2, 0.667],
    [3.333, 4.667, 4.667, 3.333],
    [6, 7.333, 7.333, 6],
  ]
    .map(([x1, y1, x2, y2]) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>`)
    .join('');
  return `<pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${THEME.solid}"/><g stroke="${color}" stroke-width="1" stroke-linecap="round">${lines}</g></pattern>`;
}

/** Stroke elements for an outline in a dash style; `none` draws nothing. */
export function strokeSvg(o: Outline, dash: unknown, sw: number, color: string): string {
  if (dash === 'none') return '';
  const attrs = `fill="none" stroke="${color}" stroke-width="${fmt(sw)}"`;
  if (dash !== 'dashed' && dash !== 'dotted') return `<path d="${outlineD(o)}" ${attrs}/>`;
  if (o.type === 'path') {
    return `<path d="${o.d}" ${attrs} ${dashAttrs(o.length, sw, dash, o.closed)}/>`;
  }
  const pts = o.closed ? [...o.points, o.points[0]] : o.points;
  let out = '';
  for (let i = 1; i < pts.length; i++) {
    out += `<path d="M${fmt(pts[i - 1].x)},${fmt(pts[i - 1].y)}L${fmt(pts[i].x)},${fmt(pts[i].y)}"${dashAttrs(dist(pts[i - 1], pts[i]), sw, dash, false)}/>`;
  }
  return `<g ${attrs}>${out}</g>`;
}

/**
 * `stroke-dasharray` (and offset) for a run of `length`: dash and gap near 2 × stroke
 * width, stretched so the run holds a whole number of them; dots are tiny dashes that the
 * round caps turn into circles.
 */
export function dashAttrs(length: number, sw: number, dash: 'dashed' | 'dotted', closed: boolean): string {
  if (length <= 0) return '';
  if (dash === 'dotted') {
    const dot = sw / 100;
    const count = Math.max(1, Math.round(length / (sw * 2)));
    const period = length / count;
    return ` stroke-dasharray="${fmt3(dot)} ${fmt3(period - dot)}"`;
  }
  const target = sw * 2;
  if (closed) {
    const n = Math.max(1, Math.round(length / (target * 2)));
    const seg = length / (n * 2);
    return ` stroke-dasharray="${fmt3(seg)} ${fmt3(seg)}"`;
  }
  // Open run: n dashes and n − 1 gaps, so both ends are dashes.
  const n = Math.max(1, Math.round((length + target) / (target * 2)));
  const seg = n === 1 ? length : length / (n * 2 - 1);
  return ` stroke-dasharray="${fmt3(seg)} ${fmt3(seg)}"`;
}

function fmt3(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Stroke dash attributes for freehand/centreline paths of unknown length (2w 2w / 0.1 2w). */
export function simpleDash(dash: unknown, sw: number): string {
  if (dash === 'dashed') return ` stroke-dasharray="${fmt(sw * 2)} ${fmt(sw * 2)}"`;
  if (dash === 'dotted') return ` stroke-dasharray="0.1 ${fmt(sw * 2)}"`;
  return '';
}

/** Polyline length. */
export function polylineLength(pts: Vec[]): number {
  let l = 0;
  for (let i = 1; i < pts.length; i++) l += dist(pts[i - 1], pts[i]);
  return l;
}
