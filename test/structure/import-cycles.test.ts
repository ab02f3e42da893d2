import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, moduleGraph, moduleOf } from './import-graph.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('import graph', () => {
  const graph = buildImportGraph(ROOT);

  it('reads every source folder, type-only imports included', () => {
    expect(graph.get('src/server.ts')?.has('src/config.ts')).toBe(true);
    // `import type` still ties two modules together, so it is an edge too.
    expect(graph.get('src/ws/socket-server.ts')?.has('src/ws/context.ts')).toBe(true);
    expect(graph.has('web/src/main.tsx')).toBe(true);
    expect(graph.has('bench/run.ts')).toBe(true);
  });

  it('has no cycle between files', () => {
    expect(findCycles(graph).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('has no cycle between folders (src/http, src/ws, extensions, test/helpers, bench/lib, ...)', () => {
    expect(findCycles(moduleGraph(graph)).map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('finds a cycle when there is one, so the checks above can fail', () => {
    const cyclic = new Map([
      ['src/ws/a.ts', new Set(['src/http/b.ts'])],
      ['src/http/b.ts', new Set(['src/http/c.ts'])],
      ['src/http/c.ts', new Set(['src/ws/a.ts'])],
    ]);
    expect(findCycles(cyclic)).toEqual([['src/http/b.ts', 'src/http/c.ts', 'src/ws/a.ts', 'src/http/b.ts']]);
    const folders = new Map([
      ['src/ws/a.ts', new Set(['src/http/b.ts'])],
      ['src/http/c.ts', new Set(['src/ws/d.ts'])],
    ]);
    expect(findCycles(moduleGraph(folders))).toEqual([['src/http', 'src/ws', 'src/http']]);
    expect(moduleOf('src/http/routes/rooms.ts')).toBe('src/http');
    expect(moduleOf('src/config.ts')).toBe('src/config.ts');
    expect(moduleOf('web/src/board/toolbar.tsx')).toBe('web/src/board');
  });
});
