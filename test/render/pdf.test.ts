import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { renderExport } from '../../src/render/index.ts';
import { boardOf, fixtureBoard } from './helpers.ts';

async function parse(body: Uint8Array) {
  return getDocument({ data: body.slice(), useSystemFonts: false, isEvalSupported: false, verbosity: 0 }).promise;
}

describe('PDF export', () => {
  it('parses, has one page the size of the board, with the text and embedded fonts', async () => {
    const file = await renderExport(fixtureBoard(), { format: 'pdf' });
    expect(file.contentType).toBe('application/pdf');
    expect(file.extension).toBe('pdf');
    const pdf = await parse(file.body);
    expect(pdf.numPages).toBe(1);
    const page = await pdf.getPage(1);
    const [, , w, h] = page.view;
    expect([w, h]).toEqual([1644, 1084]);
    const text = (await page.getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ');
    for (const s of ['Release plan', 'Q3 milestones', 'Meeting notes', 'feeds', 'Sprint 12', 'Remember the']) expect(text).toContain(s);
    const raw = Buffer.from(file.body).toString('latin1');
    // Fonts are embedded as subset TrueType programs, not referenced by name.
    expect(raw).toMatch(/FontFile2/);
    expect(raw).toMatch(/ShantellSans/);
    expect((await pdf.getMetadata()).info).toMatchObject({ Title: 'Team retro board' });
  });

  it('renders an empty board as a one-page blank PDF', async () => {
    const pdf = await parse((await renderExport(boardOf([]), { format: 'pdf' })).body);
    expect(pdf.numPages).toBe(1);
  });
});
