import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderExport, renderSvg, validateBoard } from '../../src/render/index.ts';
import { richText } from '../helpers/tldraw-records.ts';
import { boardOf, fixtureBoard, fixtureFile, fixtureTexts, geo } from './helpers.ts';

async function svgOf(board = fixtureBoard(), opts: { background?: boolean; pageId?: string } = {}): Promise<string> {
  const file = await renderExport(board, { format: 'svg', ...opts });
  expect(file.contentType).toBe('image/svg+xml');
  expect(file.extension).toBe('svg');
  return new TextDecoder().decode(file.body);
}

describe('SVG export', () => {
  it('is well-formed XML with the board size, background and viewBox', async () => {
    const svg = await svgOf();
    expect(XMLValidator.validate(svg)).toBe(true);
    const root = new XMLParser({ ignoreAttributes: false }).parse(svg).svg;
    // tldraw's own export of this board: viewBox 48 48 1644 1084.
    expect(root['@_viewBox']).toBe('48 48 1644 1084');
    expect(svg).toContain('fill="#f9fafb"');
  });

  it('contains every text string of the fixture', async () => {
    const text = (await svgOf()).replace(/<[^>]+>/g, '');
    const texts = fixtureTexts();
    expect(texts.length).toBeGreaterThan(8);
    for (const t of texts) expect(text).toContain(t.trim());
  });

  it('has one <g data-shape-id> per drawable shape, in z-order', async () => {
    const svg = await svgOf();
    const ids = [...svg.matchAll(/data-shape-id="([^"]+)"/g)].map((m) => m[1]);
    const shapes = (fixtureFile().records as { typeName: string; type?: string; id: string }[]).filter(
      (r) => r.typeName === 'shape' && r.type !== 'group',
    );
    expect(ids.sort()).toEqual(shapes.map((s) => s.id).sort());
    const order = [...svg.matchAll(/data-shape-id="([^"]+)"/g)].map((m) => m[1]);
    expect(order.indexOf('shape:frameSprint')).toBeLessThan(order.indexOf('shape:frameChildBox'));
    expect(order.indexOf('shape:groupRect')).toBeLessThan(order.indexOf('shape:groupEllipse'));
  });

  it('[§7] resolves arrow endpoints through bindings (worked example)', async () => {
    const svg = await svgOf();
    const feeds = svg.match(/data-shape-id="shape:arrowFeeds"[^>]*>(.*?)<\/g>/)?.[1] ?? '';
    // Local start (120,0) = page (320,150); end 546.5 − 200 = 346.5.
    expect(feeds).toMatch(/M120,0L346\.5,0/);
    const curved = svg.match(/data-shape-id="shape:arrowCurved"[^>]*>(.*?)<\/g>/)?.[1] ?? '';
    const [, sx, sy, ex, ey] = curved.match(/M([\d.-]+),([\d.-]+)A[\d.]+,[\d.]+ 0 \d \d ([\d.-]+),([\d.-]+)/) ?? [];
    expect(Number(sx)).toBeCloseTo(85, -0.5);
    expect(Number(sy)).toBeCloseTo(52.4, -0.5);
    expect(Number(ex)).toBeCloseTo(226.6, -0.5);
    expect(Number(ey)).toBeCloseTo(72.3, -0.5);
  });

  it('applies rotation, opacity, frame clipping and nesting', async () => {
    const svg = await svgOf();
    expect(svg).toMatch(/data-shape-id="shape:rotatedBox"[^>]*transform="matrix\(0\.87 0\.5 -0\.5 0\.87 960 880\)"/);
    expect(svg).toMatch(/data-shape-id="shape:halfOpacityCircle"[^>]*opacity="0\.5"/);
    expect(svg).toMatch(
      /<g clip-path="url\(#clip-shape_frameSprint\)"><g data-shape-id="shape:frameChildBox"[^>]*matrix\(1 0 0 1 120 920\)/,
    );
  });

  it('escapes text for XML', async () => {
    const board = boardOf([geo('a', 0, 0, { w: 600, richText: richText('a < b & "c" \u0001 > d') })]);
    const svg = await svgOf(board);
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;  &gt; d');
  });

  it('renders an empty board as a valid blank picture', async () => {
    const svg = await svgOf(boardOf([]));
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('viewBox="0 0 64 64"');
    expect(svg).not.toContain('data-shape-id');
  });

  it('leaves the background transparent when background is off', async () => {
    const svg = await svgOf(fixtureBoard(), { background: false });
    expect(svg).not.toContain('#f9fafb');
  });

  it('draws the requested page and throws for an unknown one', async () => {
    const board = boardOf(
      [geo('a', 0, 0)],
      [
        { id: 'page:q', typeName: 'page', name: 'Two', index: 'a2', meta: {} },
        { ...geo('b', 500, 500), parentId: 'page:q' },
      ],
    );
    expect(await svgOf(board)).toContain('shape:a');
    const second = await svgOf(board, { pageId: 'page:q' });
    expect(second).toContain('shape:b');
    expect(second).not.toContain('shape:a');
    await expect(svgOf(board, { pageId: 'page:nope' })).rejects.toThrow(/page:nope/);
  });

  it('draws every geo kind, fill and dash without errors', () => {
    const kinds = [
      'rectangle',
      'ellipse',
      'triangle',
      'diamond',
      'pentagon',
      'hexagon',
      'octagon',
      'star',
      'rhombus',
      'rhombus-2',
      'oval',
      'trapezoid',
      'arrow-right',
      'arrow-left',
      'arrow-up',
      'arrow-down',
      'x-box',
      'check-box',
      'heart',
      'cloud',
    ];
    const fills = ['none', 'semi', 'solid', 'pattern', 'fill', 'lined-fill'];
    const dashes = ['draw', 'solid', 'dashed', 'dotted', 'none'];
    const shapes = kinds.map((k, i) =>
      geo(`k${i}`, i * 120, 0, { geo: k, fill: fills[i % 6], dash: dashes[i % 5] }, `a${String.fromCharCode(65 + i)}`),
    );
    const { svg } = renderSvg(validateBoard(boardOf(shapes)));
    expect(XMLValidator.validate(svg)).toBe(true);
    expect([...svg.matchAll(/data-shape-id=/g)]).toHaveLength(kinds.length);
  });

  it('draws shapes whose page record is missing (older clients never wrote the first page)', () => {
    const shapes = [geo('a', 0, 0), geo('b', 200, 0)].map((record) => ({ ...record, parentId: 'page:page' }));
    const board = boardOf(shapes);
    board.records = board.records.filter((record) => record.typeName !== 'page');
    const { svg, width } = renderSvg(validateBoard(board));
    expect([...svg.matchAll(/data-shape-id=/g)]).toHaveLength(2);
    expect(width).toBeGreaterThan(300);
  });
});
