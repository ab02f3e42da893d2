/**
 * Draws an export SVG into a one-page vector PDF the size of the picture (1 page unit =
 * 1 pt), with the shipped fonts embedded (subset) by pdfkit.
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { allFontFaces, type FontFace } from './fonts.ts';

const faceName = (f: FontFace) => `${f.family.replace(/ /g, '')}-${f.weight}${f.italic ? '-Italic' : ''}`;

/**
 * Renders SVG text to PDF bytes.
 * @param svg - an SVG from {@link renderSvg}
 * @param width - page width in points (the SVG's width)
 * @param height - page height in points
 * @param title - document title written into the PDF info
 */
export function svgToPdf(svg: string, width: number, height: number, title = 'Board'): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ autoFirstPage: false, info: { Title: title, Producer: 'Scrible' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    try {
      const faces = allFontFaces();
      for (const f of faces) doc.registerFont(faceName(f), f.path);
      doc.addPage({ size: [width, height], margin: 0 });
      SVGtoPDF(doc, svg, 0, 0, {
        width,
        height,
        // One SVG unit is one PDF point; without this svg-to-pdfkit shrinks px to 0.75 pt.
        assumePt: true,
        fontCallback: (family, bold, italic) => pickFace(faces, family, bold, italic),
      });
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}

// svg-to-pdfkit passes the font-family list and a bold flag (weight ≥ 600); pick the closest
// shipped face, falling back to IBM Plex Sans.
function pickFace(faces: FontFace[], family: string, bold: boolean, italic: boolean): string {
  const wanted = family.split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, ''));
  const fam = wanted.find((w) => faces.some((f) => f.family === w)) ?? 'IBM Plex Sans';
  const candidates = faces.filter((f) => f.family === fam && f.italic === italic);
  const face = candidates.find((f) => (bold ? f.weight === 700 : f.weight !== 700)) ?? candidates[0];
  return faceName(face);
}
