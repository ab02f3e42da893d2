/**
 * tldraw 5's default light theme: the palette per colour name, the theme's UI colours,
 * and the size tables (stroke widths and font sizes). Values are from TLDRAW.md §4.
 */

/** One colour's variants as tldraw's light theme defines them. */
export interface ColorVariants {
  solid: string;
  semi: string;
  pattern: string;
  linedFill: string;
  noteFill: string;
  highlight: string;
  frameStroke: string;
  frameFill: string;
}

// Columns: solid, semi, pattern, linedFill, noteFill, highlightSrgb, frameStroke, frameFill.
const TABLE: Record<string, string[]> = {
  black: ['#1d1d1d', '#e8e8e8', '#494949', '#363636', '#FCE19C', '#fddd00', '#717171', '#ffffff'],
  grey: ['#9fa8b2', '#eceef0', '#bcc3c9', '#bbc1c9', '#C0CAD3', '#cbe7f1', '#aaaaab', '#fcfcfd'],
  'light-violet': ['#e085f4', '#f5eafa', '#e9acf8', '#e9abf7', '#DFB0F9', '#ff88ff', '#e59bf5', '#fefbff'],
  violet: ['#ae3ec9', '#ecdcf2', '#bd63d3', '#be68d4', '#DB91FD', '#c77cff', '#bc62d3', '#fdf9fd'],
  blue: ['#4465e9', '#dce1f8', '#6681ee', '#6580ec', '#8AA3FF', '#10acff', '#6681ec', '#f9fafe'],
  'light-blue': ['#4ba1f1', '#ddedfa', '#6fbbf8', '#7abaf5', '#9BC4FD', '#00f4ff', '#6cb2f3', '#fafcff'],
  yellow: ['#f1ac4b', '#f9f0e6', '#fecb92', '#f5c27a', '#FED49A', '#fddd00', '#f3bb6c', '#fffdfa'],
  orange: ['#e16919', '#f8e2d4', '#f78438', '#ea8643', '#FAA475', '#ffa500', '#e68544', '#fef9f6'],
  green: ['#099268', '#d3e9e3', '#39a785', '#0bad7c', '#6FC896', '#00ffc8', '#37a684', '#f8fcfa'],
  'light-green': ['#4cb05e', '#dbf0e0', '#65cb78', '#7ec88c', '#98D08A', '#65f641', '#6dbe7c', '#fafdfa'],
  'light-red': ['#f87777', '#f4dadb', '#fe9e9e', '#f99a9a', '#F7A5A1', '#ff7fa3', '#f89090', '#fffbfb'],
  red: ['#e03131', '#f4dadb', '#e55959', '#e75f5f', '#FC8282', '#ff636e', '#e55757', '#fef9f9'],
  white: ['#FFFFFF', '#f5f5f5', '#f9f9f9', '#ffffff', '#FFFFFF', '#ffffff', '#7d7d7d', '#ffffff'],
};

const PALETTE: Record<string, ColorVariants> = Object.fromEntries(
  Object.entries(TABLE).map(([name, v]) => [
    name,
    {
      solid: v[0],
      semi: v[1],
      pattern: v[2],
      linedFill: v[3],
      noteFill: v[4],
      highlight: v[5],
      frameStroke: v[6],
      frameFill: v[7],
    },
  ]),
);

/** Theme-wide colours (light mode). */
export const THEME = {
  background: '#f9fafb',
  text: '#000000',
  solid: '#fcfffe',
  noteText: '#000000',
} as const;

/** The variants of a colour name; unknown names fall back to black (validated data has none). */
export function colorOf(name: unknown): ColorVariants {
  return PALETTE[String(name)] ?? PALETTE.black;
}

/** Stroke width per size, before `scale` (theme strokeWidth 2 × multiplier). */
export const STROKE_WIDTH: Record<string, number> = { s: 2, m: 3.5, l: 5, xl: 10 };
/** Text shape font size per size. */
export const TEXT_FONT_SIZE: Record<string, number> = { s: 18, m: 24, l: 36, xl: 44 };
/** Geo and note label font size per size. */
export const LABEL_FONT_SIZE: Record<string, number> = { s: 18, m: 22, l: 26, xl: 32 };
/** Arrow label font size per size. */
export const ARROW_LABEL_FONT_SIZE: Record<string, number> = { s: 18, m: 20, l: 24, xl: 28 };
/** Highlighter stroke width per size. */
export const HIGHLIGHT_WIDTH: Record<string, number> = { s: 20.16, m: 26.88, l: 40.32, xl: 49.28 };
/** Line height as a multiple of the font size. */
export const LINE_HEIGHT = 1.35;

/** Stroke width of a size style (unknown sizes count as m). */
export function strokeWidth(size: unknown): number {
  return STROKE_WIDTH[String(size)] ?? 3.5;
}
