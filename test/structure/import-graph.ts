import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** The folders whose TypeScript files make up the graph, relative to the repository root. */
export const SOURCE_ROOTS = ['src', 'extensions', 'test', 'bench', 'scripts', 'web/src'];

/** file -> the files it imports (relative specifiers only; packages are not part of the graph). */
export type ImportGraph = Map<string, Set<string>>;

function listSourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : listSourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Every relative import, re-export, `import type` and dynamic `import()` of every source
 * file, read with TypeScript's own pre-processor so nothing is missed by a regular expression.
 */
export function buildImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const files = SOURCE_ROOTS.flatMap((dir) => listSourceFiles(join(root, dir)));
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      targets.add(
        relative(root, resolve(dirname(file), fileName))
          .split(sep)
          .join('/'),
      );
    }
    graph.set(relative(root, file).split(sep).join('/'), targets);
  }
  return graph;
}

/**
 * The module a file belongs to: its first folder below a source root (`src/http/routes/x.ts`
 * -> `src/http`), or the file itself when it sits directly in a root (`src/config.ts`).
 */
export function moduleOf(file: string): string {
  const root = SOURCE_ROOTS.filter((r) => file.startsWith(`${r}/`)).sort((a, b) => b.length - a.length)[0];
  if (!root) return file;
  const rest = file.slice(root.length + 1).split('/');
  return rest.length === 1 ? file : `${root}/${rest[0]}`;
}

/** The same graph between modules (see `moduleOf`), without edges inside one module. */
export function moduleGraph(graph: ImportGraph): ImportGraph {
  const modules: ImportGraph = new Map();
  for (const [file, targets] of graph) {
    const from = moduleOf(file);
    const edges = modules.get(from) ?? new Set<string>();
    modules.set(from, edges);
    for (const target of targets) if (moduleOf(target) !== from) edges.add(moduleOf(target));
  }
  return modules;
}

/** Each cycle as the path around it (first node repeated at the end); empty when the graph is acyclic. */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}
