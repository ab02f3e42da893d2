import { describe, expect, it } from 'vitest';
import { renderExport, validateBoard } from '../../src/render/index.ts';
import { boardOf, fixtureBoard, geo, recordingLog } from './helpers.ts';

describe('validation', () => {
  it('skips a record that fails tldraw validation and names it in the log', async () => {
    const board = fixtureBoard();
    const bad = geo('broken', 0, 0, { w: -5 });
    board.records.push(bad as never, { id: 'shape:weird', typeName: 'shape', type: 'geo', props: {} } as never);
    const log = recordingLog();
    const file = await renderExport(board, { format: 'svg', log });
    const svg = new TextDecoder().decode(file.body);
    expect(svg).not.toContain('shape:broken');
    expect(svg).toContain('shape:rectBlue');
    const named = log.warnings.map((w) => w.obj.recordId);
    expect(named).toEqual(expect.arrayContaining(['shape:broken', 'shape:weird']));
    expect(log.warnings.find((w) => w.obj.recordId === 'shape:broken')?.msg).toMatch(/shape:broken/);
  });

  it('throws a readable error for a document that is not a board', () => {
    expect(() => validateBoard({ schema: null, records: 'x' } as never)).toThrow(/not a tldraw document/);
    expect(() => validateBoard(null as never)).toThrow(/not a tldraw document/);
  });

  it('throws a readable error when the schema is newer than ours', () => {
    const board = boardOf([geo('a', 0, 0)]);
    const schema = board.schema as { sequences: Record<string, number> };
    board.schema = { ...schema, sequences: { ...schema.sequences, 'com.tldraw.shape.geo': 999 } };
    expect(() => validateBoard(board)).toThrow(/cannot be migrated/);
  });

  it('migrates records from an older schema version', () => {
    const board = boardOf([]);
    const schema = board.schema as { sequences: Record<string, number> };
    // document v0 had no `name` or `meta`; migrations document/1 and /2 add them.
    board.schema = { ...schema, sequences: { ...schema.sequences, 'com.tldraw.document': 0 } };
    board.records[0] = { id: 'document:document', typeName: 'document', gridSize: 10 };
    const valid = validateBoard(board);
    expect(valid.records.find((r) => r.typeName === 'document')).toMatchObject({ name: '', meta: {} });
  });

  it('skips values that are not records at all', () => {
    const board = boardOf([geo('a', 0, 0)]);
    board.records.push(42 as never);
    const log = recordingLog();
    expect(validateBoard(board, log).records.some((r) => r.id === 'shape:a')).toBe(true);
    expect(log.warnings).toHaveLength(1);
  });
});
