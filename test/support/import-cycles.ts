/**
 * The import graph of the TypeScript sources under a directory, read with TypeScript's own pre-parser
 * (static imports, `export … from`, type-only imports and dynamic `import()` alike), and its cycles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every `.ts` file under `dir`, as absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => resolve(e.parentPath, e.name));
}

/** file → the files of the graph it imports (relative specifiers only; `.js` resolved to `.ts`). */
export function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const imports = ts
      .preProcessFile(text, true, true)
      .importedFiles.map((f) => f.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => resolve(dirname(file), name.replace(/\.js$/, '.ts')))
      .filter((target) => files.has(target));
    graph.set(file, [...new Set(imports)]);
  }
  return graph;
}

/** The source files under `dir` with their text. */
export function readSources(dir: string): Map<string, string> {
  return new Map(sourceFiles(dir).map((f) => [f, readFileSync(f, 'utf8')]));
}

/** Each cycle once, as the files around it (relative to `root`), the first file repeated at the end. */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>, root = ''): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (node: string): void => {
    path.push(node);
    onPath.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onPath.has(next)) cycles.push([...path.slice(path.indexOf(next)), next].map((f) => (root ? relative(root, f) : f)));
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return cycles;
}

