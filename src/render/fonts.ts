/**
 * The fonts every export uses, shipped in the repository as TTF files under
 * `assets/fonts/` (SIL OFL 1.1, each family's licence beside it), so text renders the
 * same on every machine: resvg loads them instead of system fonts, pdfkit embeds them,
 * and the text measurer reads their advance widths.
 */
import { fileURLToPath } from 'node:url';
import * as fontkit from 'fontkit';

/** tldraw's font style names. */
export type FontStyleName = 'draw' | 'sans' | 'serif' | 'mono';

/** One font file: the family name resvg matches on, its weight and slant. */
export interface FontFace {
  family: string;
  weight: number;
  italic: boolean;
  path: string;
}

/** `assets/fonts/`, one folder per family. */
const FONTS_DIR = new URL('../../assets/fonts/', import.meta.url);

// Which folder and weight stand in for each tldraw font: tldraw uses Shantell Sans for
// draw and the Medium (500) cut of IBM Plex for the others.
const FAMILIES: Record<FontStyleName, { family: string; dir: string; file: string; weight: number }> = {
  draw: { family: 'Shantell Sans', dir: 'shantell-sans', file: 'ShantellSans', weight: 400 },
  sans: { family: 'IBM Plex Sans', dir: 'ibm-plex-sans', file: 'IBMPlexSans', weight: 500 },
  serif: { family: 'IBM Plex Serif', dir: 'ibm-plex-serif', file: 'IBMPlexSerif', weight: 500 },
  mono: { family: 'IBM Plex Mono', dir: 'ibm-plex-mono', file: 'IBMPlexMono', weight: 500 },
};

const WEIGHT_NAMES: Record<number, string> = { 400: '400Regular', 500: '500Medium', 700: '700Bold' };

/** The font family name written into SVG `font-family` for a tldraw font style. */
export function familyOf(font: unknown): string {
  return (FAMILIES[font as FontStyleName] ?? FAMILIES.draw).family;
}

/** The regular weight of a font style (400 for Shantell Sans, 500 for IBM Plex). */
export function regularWeightOf(font: unknown): number {
  return (FAMILIES[font as FontStyleName] ?? FAMILIES.draw).weight;
}

/** The TTF file of a face in `assets/fonts/`. */
function facePath(style: FontStyleName, bold: boolean, italic: boolean): string {
  const f = FAMILIES[style];
  const cut = WEIGHT_NAMES[bold ? 700 : f.weight] + (italic ? '_Italic' : '');
  return fileURLToPath(new URL(`${f.dir}/${f.file}_${cut}.ttf`, FONTS_DIR));
}

/** Every face the renderer may ask for: 4 families × regular/bold × upright/italic. */
export function allFontFaces(): FontFace[] {
  const faces: FontFace[] = [];
  for (const style of Object.keys(FAMILIES) as FontStyleName[]) {
    for (const bold of [false, true]) {
      for (const italic of [false, true]) {
        const weight = bold ? 700 : FAMILIES[style].weight;
        faces.push({ family: FAMILIES[style].family, weight, italic, path: facePath(style, bold, italic) });
      }
    }
  }
  return faces;
}

/** Measures text with a face's advance widths (no kerning: close enough for layout). */
export class TextMeasurer {
  private fonts = new Map<string, { font: fontkit.Font; widths: Map<number, number> }>();

  /** Width in page units of `text` at `size` in the given face. */
  width(text: string, style: unknown, size: number, bold = false, italic = false): number {
    const face = this.face(FAMILIES[style as FontStyleName] ? (style as FontStyleName) : 'draw', bold, italic);
    let units = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      let w = face.widths.get(cp);
      if (w === undefined) {
        w = face.font.glyphForCodePoint(cp).advanceWidth / face.font.unitsPerEm;
        face.widths.set(cp, w);
      }
      units += w;
    }
    return units * size;
  }

  private face(style: FontStyleName, bold: boolean, italic: boolean) {
    const key = `${style}/${bold}/${italic}`;
    let face = this.fonts.get(key);
    if (!face) {
      face = { font: fontkit.openSync(facePath(style, bold, italic)), widths: new Map() };
      this.fonts.set(key, face);
    }
    return face;
  }
}
