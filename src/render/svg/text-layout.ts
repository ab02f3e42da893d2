/**
 * Lays out paragraphs of styled runs: wraps them at a width with measured advance widths,
 * then writes one SVG `<text>` per line (resvg cannot draw tldraw's HTML foreignObject).
 */
import { familyOf, regularWeightOf, type TextMeasurer } from '../fonts.ts';
import { fmt } from './geometry.ts';
import { LINE_HEIGHT } from './theme.ts';
import type { Paragraph, TextRun } from './rich-text.ts';
import { escapeXml } from './xml.ts';

/** Font settings of a text block. */
export interface TextStyle {
  font: unknown;
  size: number;
  color: string;
}

/** A wrapped line and its measured width. */
export interface LaidLine {
  runs: TextRun[];
  width: number;
}

/** Width of a run in the face its marks select (code → mono). */
function runWidth(m: TextMeasurer, r: TextRun, style: TextStyle): number {
  return m.width(r.text, r.code ? 'mono' : style.font, style.size, r.bold, r.italic);
}

/**
 * Wraps paragraphs at `maxWidth` (no wrapping when undefined). Breaks at spaces; a word
 * longer than a line is broken between characters, as browsers do with overflow-wrap.
 */
export function wrapText(m: TextMeasurer, paragraphs: Paragraph[], style: TextStyle, maxWidth?: number): LaidLine[] {
  const lines: LaidLine[] = [];
  for (const para of paragraphs) {
    let line: TextRun[] = [];
    let width = 0;
    const flush = () => {
      lines.push({ runs: trimEnd(line), width: measure(m, trimEnd(line), style) });
      line = [];
      width = 0;
    };
    for (const r of para) {
      for (const token of r.text.split(/(?<=\s)/)) {
        let piece = { ...r, text: token };
        let w = runWidth(m, piece, style);
        const visible = runWidth(m, { ...piece, text: token.trimEnd() }, style);
        if (maxWidth !== undefined && width > 0 && width + visible > maxWidth) flush();
        // A single token wider than the line: emit it character by character.
        while (maxWidth !== undefined && width === 0 && visible > maxWidth && piece.text.length > 1) {
          let cut = 1;
          while (cut < piece.text.length && runWidth(m, { ...piece, text: piece.text.slice(0, cut + 1) }, style) <= maxWidth) cut++;
          line.push({ ...piece, text: piece.text.slice(0, cut) });
          width = 1;
          flush();
          piece = { ...piece, text: piece.text.slice(cut) };
          w = runWidth(m, piece, style);
          if (runWidth(m, { ...piece, text: piece.text.trimEnd() }, style) <= maxWidth) break;
        }
        line.push(piece);
        width += w;
      }
    }
    flush();
  }
  return lines;
}

function trimEnd(runs: TextRun[]): TextRun[] {
  const out = runs.filter((r) => r.text !== '');
  const last = out[out.length - 1];
  if (last) out[out.length - 1] = { ...last, text: last.text.trimEnd() };
  return out;
}

function measure(m: TextMeasurer, runs: TextRun[], style: TextStyle): number {
  return runs.reduce((sum, r) => sum + runWidth(m, r, style), 0);
}

/** Height of `count` lines. */
export function textHeight(count: number, size: number): number {
  return count * size * LINE_HEIGHT;
}

/**
 * SVG for laid-out lines whose block starts at `top`; each line is anchored at `x` with
 * `anchor` (start, middle, end), so the renderer does the exact horizontal alignment.
 */
export function linesToSvg(lines: LaidLine[], style: TextStyle, x: number, top: number, anchor: 'start' | 'middle' | 'end'): string {
  const lh = style.size * LINE_HEIGHT;
  const family = familyOf(style.font);
  const weight = regularWeightOf(style.font);
  let out = '';
  lines.forEach((line, i) => {
    if (line.runs.length === 0) return;
    // The baseline sits a bit below the middle of the line box (fonts' ascent − descent ≈ 0.72 em).
    const baseline = top + i * lh + lh / 2 + style.size * 0.36;
    const spans = line.runs.map(tspan).join('');
    out += `<text x="${fmt(x)}" y="${fmt(baseline)}" font-family="${family}" font-size="${fmt(style.size)}" font-weight="${weight}" fill="${style.color}" text-anchor="${anchor}" xml:space="preserve">${spans}</text>`;
  });
  return out;
}

function tspan(r: TextRun): string {
  const attrs: string[] = [];
  if (r.code) attrs.push(`font-family="${familyOf('mono')}"`);
  if (r.code && !r.bold) attrs.push(`font-weight="${regularWeightOf('mono')}"`);
  if (r.bold) attrs.push('font-weight="700"');
  if (r.italic) attrs.push('font-style="italic"');
  const deco = [r.underline ? 'underline' : '', r.strike ? 'line-through' : ''].filter(Boolean).join(' ');
  if (deco) attrs.push(`text-decoration="${deco}"`);
  const text = escapeXml(r.text);
  return attrs.length === 0 ? text : `<tspan ${attrs.join(' ')}>${text}</tspan>`;
}
