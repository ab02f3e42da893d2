/**
 * Export benchmark: builds a 1,000-shape board (geo with labels, draw strokes, text and
 * bound arrows) and times SVG and PNG export, printing one JSON line with the medians.
 * Targets on the 2-core dev machine: SVG ≤ 200 ms, PNG ≤ 1 s.
 *   node bench/export.ts [runs]
 */
import { b64Vecs } from '@tldraw/tlschema';
import { renderExport, type Board } from '../src/render/index.ts';
import { tldrawSchema } from '../src/render/validate.ts';

const SHAPES = 1000;
const RUNS = Number(process.argv[2] ?? 7);

const rich = (text: string) => ({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
const base = (i: number, type: string, props: Record<string, unknown>) => ({
  id: `shape:s${i}`,
  typeName: 'shape',
  type,
  x: (i % 40) * 150,
  y: Math.floor(i / 40) * 150,
  rotation: 0,
  index: `a${i.toString(36).padStart(2, '0')}V`,
  parentId: 'page:p',
  isLocked: false,
  opacity: 1,
  meta: {},
  props,
});

function buildBoard(): Board {
  const records: Record<string, unknown>[] = [
    { id: 'document:document', typeName: 'document', gridSize: 10, name: 'bench', meta: {} },
    { id: 'page:p', typeName: 'page', name: 'Page 1', index: 'a1', meta: {} },
  ];
  const wave = b64Vecs.encodePoints(
    Array.from({ length: 40 }, (_, k) => ({ x: k * 3, y: Math.sin(k / 4) * 20, z: 0.5 })),
    2,
  );
  for (let i = 0; i < SHAPES; i++) {
    switch (i % 4) {
      case 0:
        records.push(
          base(i, 'geo', {
            w: 100,
            h: 80,
            geo: ['rectangle', 'ellipse', 'cloud', 'star'][(i / 4) % 4],
            dash: 'draw',
            growY: 0,
            url: '',
            scale: 1,
            flipX: false,
            flipY: false,
            color: 'blue',
            labelColor: 'black',
            fill: 'solid',
            size: 'm',
            font: 'draw',
            align: 'middle',
            verticalAlign: 'middle',
            richText: rich(`Box ${i}`),
          }),
        );
        break;
      case 1:
        records.push(
          base(i, 'draw', {
            segments: [{ type: 'free', path: wave, dim: 2 }],
            color: 'red',
            fill: 'none',
            dash: 'draw',
            size: 'm',
            isComplete: true,
            isClosed: false,
            isPen: false,
            scale: 1,
            scaleX: 1,
            scaleY: 1,
          }),
        );
        break;
      case 2:
        records.push(
          base(i, 'text', {
            color: 'black',
            size: 's',
            w: 100,
            font: 'sans',
            textAlign: 'start',
            autoSize: true,
            scale: 1,
            richText: rich(`Note number ${i}`),
          }),
        );
        break;
      default: {
        records.push(
          base(i, 'arrow', {
            kind: 'arc',
            elbowMidPoint: 0.5,
            dash: 'solid',
            size: 'm',
            fill: 'none',
            color: 'black',
            labelColor: 'black',
            bend: i % 8 === 3 ? 20 : 0,
            start: { x: 0, y: 0 },
            end: { x: 100, y: 0 },
            arrowheadStart: 'none',
            arrowheadEnd: 'arrow',
            labelPosition: 0.5,
            font: 'draw',
            scale: 1,
            richText: rich(''),
          }),
        );
        const bind = (terminal: string, to: number) => ({
          id: `binding:b${i}${terminal}`,
          typeName: 'binding',
          type: 'arrow',
          fromId: `shape:s${i}`,
          toId: `shape:s${to}`,
          meta: {},
          props: { terminal, normalizedAnchor: { x: 0.5, y: 0.5 }, isExact: false, isPrecise: false, snap: 'none' },
        });
        records.push(bind('start', i - 3), bind('end', (i + 1) % SHAPES));
      }
    }
  }
  return { schema: tldrawSchema().serialize(), records: records as Board['records'] };
}

async function median(format: 'svg' | 'png', board: Board): Promise<number> {
  const times: number[] = [];
  await renderExport(board, { format }); // warm-up: font parsing, JIT
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await renderExport(board, { format });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]);
}

const board = buildBoard();
const svgMs = await median('svg', board);
const pngMs = await median('png', board);
const svgBytes = (await renderExport(board, { format: 'svg' })).body.length;
console.log(
  JSON.stringify({
    bench: 'export',
    shapes: SHAPES,
    runs: RUNS,
    svgMedianMs: svgMs,
    pngMedianMs: pngMs,
    svgBytes,
    svgTargetMs: 200,
    pngTargetMs: 1000,
  }),
);
