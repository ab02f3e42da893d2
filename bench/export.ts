/**
 * Export benchmark: builds a 1,000-shape board (geo with labels, draw strokes, text and
 * bound arrows) and times SVG and PNG export, printing one JSON line with the medians.
 * Targets on the 2-core dev machine: SVG ≤ 200 ms, PNG ≤ 1 s.
 *   node bench/export.ts [runs]
 */
import { b64Vecs } from '@tldraw/tlschema';
import { renderExport, type Board } from '../src/render/index.ts';
import { arrowBinding, arrowProps, geoProps, richText } from '../test/helpers/tldraw-records.ts';
import { benchEmptyLabel, gridBoard, gridShape } from './lib/grid-board.ts';

const SHAPES = 1000;
const RUNS = Number(process.argv[2] ?? 7);

function buildBoard(): Board {
  const records: Record<string, unknown>[] = [];
  const wave = b64Vecs.encodePoints(
    Array.from({ length: 40 }, (_, k) => ({ x: k * 3, y: Math.sin(k / 4) * 20, z: 0.5 })),
    2,
  );
  for (let i = 0; i < SHAPES; i++) {
    switch (i % 4) {
      case 0:
        records.push(
          gridShape(
            i,
            'geo',
            geoProps({
              h: 80,
              geo: ['rectangle', 'ellipse', 'cloud', 'star'][(i / 4) % 4],
              dash: 'draw',
              color: 'blue',
              fill: 'solid',
              richText: richText(`Box ${i}`),
            }),
          ),
        );
        break;
      case 1:
        records.push(
          gridShape(i, 'draw', {
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
          gridShape(i, 'text', {
            color: 'black',
            size: 's',
            w: 100,
            font: 'sans',
            textAlign: 'start',
            autoSize: true,
            scale: 1,
            richText: richText(`Note number ${i}`),
          }),
        );
        break;
      default: {
        records.push(
          gridShape(i, 'arrow', arrowProps({ bend: i % 8 === 3 ? 20 : 0, richText: benchEmptyLabel() })),
          arrowBinding(`binding:b${i}start`, `shape:s${i}`, `shape:s${i - 3}`, 'start'),
          arrowBinding(`binding:b${i}end`, `shape:s${i}`, `shape:s${(i + 1) % SHAPES}`, 'end'),
        );
      }
    }
  }
  return gridBoard(records);
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
