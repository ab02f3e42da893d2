import { describe, expect, it } from 'vitest';
import { parseTldrFile, renderExport, toTldrFile, validateBoard } from '../../src/render/index.ts';
import { fixtureBoard, fixtureFile } from './helpers.ts';

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);

describe('.tldr export', () => {
  it('[§9] round-trips the fixture records and schema', async () => {
    const file = await renderExport(fixtureBoard(), { format: 'json' });
    expect(file.contentType).toBe('application/vnd.tldraw+json');
    expect(file.extension).toBe('tldr');
    const json = JSON.parse(new TextDecoder().decode(file.body));
    expect(json.tldrawFileFormatVersion).toBe(1);
    expect(json.schema).toEqual(fixtureFile().schema);
    expect([...json.records].sort(byId)).toEqual([...fixtureFile().records].sort(byId));
    // And it reads back through our own parser and tldraw's validators unchanged.
    const again = validateBoard(parseTldrFile(new TextDecoder().decode(file.body)));
    expect(toTldrFile(again).records.length).toBe(fixtureFile().records.length);
  });

  it('[§9] rejects non-JSON, non-.tldr and newer format versions with readable errors', () => {
    expect(() => parseTldrFile('nope')).toThrow(/not JSON/);
    expect(() => parseTldrFile('{"records":[]}')).toThrow(/Not a .tldr file/);
    expect(() => parseTldrFile('{"tldrawFileFormatVersion":2,"records":[]}')).toThrow(/version 2/);
  });
});
