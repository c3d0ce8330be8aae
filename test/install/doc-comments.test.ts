/**
 * Every export of the library's entry points has a doc comment: the editor's hover shows it, so that is
 * where the shapes, units, defaults and error codes go.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENTRY_POINTS = ['src/index.ts', 'src/emulator/index.ts'];

/** The exported names of an entry point whose declarations carry no doc comment. */
function undocumented(entry: string): string[] {
  const program = ts.createProgram([entry], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry)!;
  const module = checker.getSymbolAtLocation(source)!;
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.getDocumentationComment(checker).length > 0) continue;
    missing.push(exported.getName());
  }
  return missing.sort();
}

describe('doc comments', () => {
  for (const entry of ENTRY_POINTS) {
    it(`every export of ${entry} has one`, () => {
      expect(undocumented(entry)).toEqual([]);
    });
  }
});
