/**
 * Golden images: small boards rendered to PNG and compared with committed pictures under
 * test/render/golden/ with a tolerance. Regenerate after an intended rendering change with
 *   UPDATE_GOLDEN=1 npx vitest run test/render/golden.test.ts
 * and look at the new PNGs before committing them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderExport, type Board } from '../../src/render/index.ts';
import { arrowBinding, arrowProps, richText } from '../helpers/tldraw-records.ts';
import { boardOf, decodePng, geo, shape } from './helpers.ts';

const GOLDEN_DIR = new URL('./golden/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const CASES: Record<string, () => Board> = {
  'geo-kinds': () =>
    boardOf(
      ['rectangle', 'ellipse', 'triangle', 'star', 'cloud', 'heart', 'arrow-right', 'check-box'].map((k, i) =>
        geo(
          `g${i}`,
          (i % 4) * 130,
          Math.floor(i / 4) * 130,
          {
            geo: k,
            fill: ['solid', 'pattern', 'none', 'semi'][i % 4],
            dash: ['solid', 'dashed', 'dotted', 'draw'][i % 4],
            color: ['blue', 'green', 'red', 'orange'][i % 4],
          },
          `a${i + 1}`,
        ),
      ),
    ),
  'label-and-arrow': () =>
    boardOf(
      [
        geo('left', 0, 0, { w: 160, h: 100, richText: richText('Hello'), font: 'sans', fill: 'solid', color: 'violet' }, 'a1'),
        geo('right', 320, 40, { w: 100, h: 100, geo: 'ellipse', fill: 'fill', color: 'light-green' }, 'a2'),
        shape(
          'arr',
          'arrow',
          160,
          50,
          arrowProps({ bend: 30, end: { x: 200, y: 40 }, arrowheadEnd: 'triangle', richText: richText('to') }),
          'a3',
        ),
      ],
      [arrowBinding('binding:s', 'shape:arr', 'shape:left', 'start'), arrowBinding('binding:e', 'shape:arr', 'shape:right', 'end')],
    ),
  'text-note-line': () =>
    boardOf([
      shape(
        't',
        'text',
        0,
        0,
        {
          color: 'black',
          size: 'm',
          w: 200,
          font: 'serif',
          textAlign: 'start',
          autoSize: true,
          scale: 1,
          richText: richText('Serif text', 'two lines'),
        },
        'a1',
      ),
      shape(
        'n',
        'note',
        260,
        0,
        {
          color: 'light-blue',
          size: 's',
          font: 'mono',
          align: 'middle',
          verticalAlign: 'middle',
          labelColor: 'black',
          growY: 0,
          fontSizeAdjustment: 1,
          url: '',
          scale: 0.8,
          textLastEditedBy: null,
          richText: richText('mono note'),
        },
        'a2',
      ),
      shape(
        'l',
        'line',
        0,
        140,
        {
          dash: 'dashed',
          size: 'l',
          color: 'red',
          spline: 'cubic',
          scale: 1,
          points: {
            a1: { id: 'a1', index: 'a1', x: 0, y: 0 },
            a2: { id: 'a2', index: 'a2', x: 80, y: -60 },
            a3: { id: 'a3', index: 'a3', x: 200, y: 20 },
          },
        },
        'a3',
      ),
    ]),
};

describe('golden PNGs', () => {
  for (const [name, build] of Object.entries(CASES)) {
    it(`${name} matches test/render/golden/${name}.png`, async () => {
      const actual = decodePng((await renderExport(build(), { format: 'png' })).body);
      const file = new URL(`${name}.png`, GOLDEN_DIR);
      if (UPDATE || !existsSync(file)) {
        writeFileSync(file, PNG.sync.write(actual));
        if (!UPDATE) throw new Error(`golden ${name}.png was missing and has been written; check it and rerun`);
        return;
      }
      const expected = decodePng(readFileSync(file));
      expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
      const diff = pixelmatch(actual.data, expected.data, undefined, actual.width, actual.height, { threshold: 0.1 });
      // Allow a little anti-aliasing drift (e.g. a resvg update), not a changed drawing.
      expect(diff / (actual.width * actual.height)).toBeLessThan(0.005);
    });
  }
});
