/**
 * The 1,000-shape boards of the export benchmarks (bench/export.ts,
 * bench/export-latency.ts): shapes on a grid of 40 columns 150 px apart, built from
 * the record builders the render tests use (test/helpers/tldraw-records.ts).
 */
import type { Board } from '../../src/render/index.ts';
import { tldrawSchema } from '../../src/render/validate.ts';
import { boardRecords, shapeRecord } from '../../test/helpers/tldraw-records.ts';

/** Shape number `i` of a benchmark board, `shape:s<i>`, in its grid cell. */
export function gridShape(i: number, type: string, props: Record<string, unknown>) {
  return shapeRecord(`shape:s${i}`, type, props, {
    x: (i % 40) * 150,
    y: Math.floor(i / 40) * 150,
    index: `a${i.toString(36).padStart(2, '0')}V`,
  });
}

/**
 * The arrows' empty label as these boards have always had it: a paragraph holding an
 * empty text (tldraw's own is an empty paragraph; `richText('')`). Kept so the boards,
 * and the figures measured on them, stay the same as in earlier runs.
 */
export function benchEmptyLabel() {
  return { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] };
}

/** A board named `bench` of the given shapes and bindings, under the current tldraw schema. */
export function gridBoard(records: Record<string, unknown>[]): Board {
  return { schema: tldrawSchema().serialize(), records: [...boardRecords('bench'), ...records] as Board['records'] };
}
