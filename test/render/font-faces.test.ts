/**
 * Every font face the renderer draws with (4 families × regular/bold × upright/italic),
 * with spaces and punctuation, through every picture format. Issue 14: a PDF of a board
 * whose text was in the mono font failed with fontkit's "Offset is outside the bounds of
 * the DataView" as soon as a line held a space (IBM Plex Mono's space is an empty glyph
 * at the very end of the file; patches/fontkit+2.0.4.patch).
 */
import * as fontkit from 'fontkit';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { allFontFaces, familyOf, type FontStyleName, regularWeightOf } from '../../src/render/fonts.ts';
import { renderExport } from '../../src/render/index.ts';
import { boardOf, decodePng } from './helpers.ts';

const STYLES: FontStyleName[] = ['draw', 'sans', 'serif', 'mono'];
const FACES = STYLES.flatMap((font) => [false, true].flatMap((bold) => [false, true].map((italic) => ({ font, bold, italic }))));

const SENTENCE = `Plan: ship v1.0, then (maybe) 2.0! "Yes" & <no> 50% #3 @team; a/b? it's [done] {x} - ok.`;
const CODE = 'npm run build --watch';

/** A board holding only a text shape in `font`, its runs marked bold and/or italic. */
function textBoard(font: FontStyleName, bold: boolean, italic: boolean) {
  const marks = [...(bold ? [{ type: 'bold' }] : []), ...(italic ? [{ type: 'italic' }] : [])];
  const paragraph = (text: string, extra: { type: string }[] = []) => ({
    type: 'paragraph',
    content: [{ type: 'text', text, marks: [...marks, ...extra] }],
  });
  return boardOf([
    {
      id: 'shape:label',
      typeName: 'shape',
      type: 'text',
      x: 0,
      y: 0,
      rotation: 0,
      index: 'a1',
      parentId: 'page:p',
      isLocked: false,
      opacity: 1,
      meta: {},
      props: {
        color: 'black',
        size: 'm',
        w: 200,
        font,
        textAlign: 'start',
        autoSize: true,
        scale: 1,
        // The second line is inline code: the mono face inside another family's text.
        richText: { type: 'doc', content: [paragraph(SENTENCE), paragraph(CODE, [{ type: 'code' }])] },
      },
    },
  ]);
}

/** The PostScript name of the face file the renderer uses for a font style. */
function postscriptNameOf(font: FontStyleName, bold: boolean, italic: boolean): string {
  const weight = bold ? 700 : regularWeightOf(font);
  const face = allFontFaces().find((f) => f.family === familyOf(font) && f.weight === weight && f.italic === italic);
  if (!face) throw new Error(`no face for ${font} ${weight} ${italic}`);
  return fontkit.openSync(face.path).postscriptName;
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('font faces', () => {
  it('every shipped face measures every printable ASCII character, the space included', () => {
    expect(allFontFaces()).toHaveLength(16);
    for (const face of allFontFaces()) {
      const font = fontkit.openSync(face.path);
      for (let cp = 0x20; cp < 0x7f; cp++) {
        // Reading the advance width used to throw for IBM Plex Mono's space.
        expect(font.glyphForCodePoint(cp).advanceWidth, `${face.path} U+${cp.toString(16)}`).toBeGreaterThan(0);
      }
    }
  });

  describe.each(FACES)('$font bold=$bold italic=$italic', ({ font, bold, italic }) => {
    const board = () => textBoard(font, bold, italic);

    it('SVG names the family, weight and slant and holds the text', async () => {
      const svg = new TextDecoder().decode((await renderExport(board(), { format: 'svg' })).body);
      expect(svg).toContain(`font-family="${familyOf(font)}"`);
      if (bold) expect(svg).toContain('font-weight="700"');
      if (italic) expect(svg).toContain('font-style="italic"');
      const text = svg
        .replace(/<[^>]+>/g, '')
        .replaceAll('&lt;', '<')
        .replaceAll('&gt;', '>')
        .replaceAll('&quot;', '"')
        .replaceAll('&apos;', "'")
        .replaceAll('&amp;', '&');
      expect(squash(text)).toContain(SENTENCE);
      expect(text).toContain(CODE);
    });

    it('PNG decodes with ink on the background', async () => {
      const png = decodePng((await renderExport(board(), { format: 'png' })).body);
      expect(png.width).toBeGreaterThan(100);
      let dark = 0;
      for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 100 && png.data[i + 3] > 200) dark++;
      expect(dark).toBeGreaterThan(200);
    });

    it('PDF embeds the face and its text is extractable', async () => {
      const file = await renderExport(board(), { format: 'pdf' });
      const raw = Buffer.from(file.body).toString('latin1');
      // Subset fonts are named TAG+PostScriptName; the label's own face must be the one used.
      expect(raw).toContain(`+${postscriptNameOf(font, bold, italic)}`);
      expect(raw).toContain(`+${postscriptNameOf('mono', bold, italic)}`);
      const pdf = await getDocument({ data: file.body.slice(), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
      const page = await pdf.getPage(1);
      const text = (await page.getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join('');
      expect(squash(text)).toContain(SENTENCE);
      expect(squash(text)).toContain(CODE);
    });
  });
});
