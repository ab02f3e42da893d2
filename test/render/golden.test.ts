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
import { boardOf, decodePng, geo, rich } from './helpers.ts';

const GOLDEN_DIR = new URL('./golden/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const shape = (id: string, type: string, x: number, y: number, props: Record<string, unknown>, index = 'a1') => ({
  id: `shape:${id}`,
  typeName: 'shape',
  type,
  x,
  y,
  rotation: 0,
  index,
  parentId: 'page:p',
  isLocked: false,
  opacity: 1,
  meta: {},
  props,
});

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
        geo('left', 0, 0, { w: 160, h: 100, richText: rich('Hello'), font: 'sans', fill: 'solid', color: 'violet' }, 'a1'),
        geo('right', 320, 40, { w: 100, h: 100, geo: 'ellipse', fill: 'fill', color: 'light-green' }, 'a2'),
        shape(
          'arr',
          'arrow',
          160,
          50,
          {
            kind: 'arc',
            elbowMidPoint: 0.5,
            dash: 'solid',
            size: 'm',
            fill: 'none',
            color: 'black',
            labelColor: 'black',
            bend: 30,
            start: { x: 0, y: 0 },
            end: { x: 200, y: 40 },
            arrowheadStart: 'none',
            arrowheadEnd: 'triangle',
            labelPosition: 0.5,
            font: 'draw',
            scale: 1,
            richText: rich('to'),
          },
          'a3',
        ),
      ],
      [
        {
          id: 'binding:s',
          typeName: 'binding',
          type: 'arrow',
          fromId: 'shape:arr',
          toId: 'shape:left',
          meta: {},
          props: { terminal: 'start', normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
        },
        {
          id: 'binding:e',
          typeName: 'binding',
          type: 'arrow',
          fromId: 'shape:arr',
          toId: 'shape:right',
          meta: {},
          props: { terminal: 'end', normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
        },
      ],
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
          richText: rich('Serif text', 'two lines'),
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
          richText: rich('mono note'),
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
