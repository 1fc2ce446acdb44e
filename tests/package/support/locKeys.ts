/**
 * Finds every task-lib `loc(...)` call in the task's sources and the message keys it can ask
 * for. A literal key is read as is; a template such as `Options_${error.key}` is expanded
 * through the type checker when each placeholder's type is a union of string literals, so a
 * key added to that union without a message in task.json is caught too. A key whose values
 * cannot be known statically is reported as such (the test then fails: make it a union).
 */
import { dirname, relative } from 'node:path';
import * as ts from 'typescript';

export interface LocCall {
  where: string;
  text: string;
  keys?: string[];
}

function literalsOf(type: ts.Type): string[] | undefined {
  if (type.isStringLiteral()) return [type.value];
  if (type.isUnion() && type.types.every((t) => t.isStringLiteral())) return type.types.map((t) => t.value);
  return undefined;
}

function keysOf(expression: ts.Expression, checker: ts.TypeChecker): string[] | undefined {
  if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return [expression.text];
  if (ts.isTemplateExpression(expression)) {
    let keys = [expression.head.text];
    for (const span of expression.templateSpans) {
      const values = literalsOf(checker.getTypeAtLocation(span.expression));
      if (values === undefined) return undefined;
      keys = keys.flatMap((key) => values.map((value) => `${key}${value}${span.literal.text}`));
    }
    return keys;
  }
  return literalsOf(checker.getTypeAtLocation(expression));
}

/** True when `call` calls task-lib's `loc`, however it was imported (`tl.loc`, `{ loc }`). */
function isTaskLibLoc(call: ts.CallExpression, checker: ts.TypeChecker): boolean {
  let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression);
  if (symbol === undefined || symbol.getName() !== 'loc') return false;
  if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  return (symbol.declarations ?? []).some((d) => /azure-pipelines-task-lib/.test(d.getSourceFile().fileName));
}

export function locCalls(tsconfigFile: string, underDir: string): LocCall[] {
  const config = ts.getParsedCommandLineOfConfigFile(tsconfigFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (config === undefined) throw new Error(`cannot read ${tsconfigFile}`);
  const roots = config.fileNames.filter((file) => !relative(underDir, file).startsWith('..'));
  const program = ts.createProgram(roots, { ...config.options, noEmit: true });
  const checker = program.getTypeChecker();
  const calls: LocCall[] = [];
  for (const source of program.getSourceFiles()) {
    if (relative(underDir, source.fileName).startsWith('..')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && node.arguments.length > 0 && isTaskLibLoc(node, checker)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        calls.push({
          where: `${relative(dirname(tsconfigFile), source.fileName)}:${line + 1}`,
          text: node.arguments[0].getText(source),
          keys: keysOf(node.arguments[0], checker),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return calls;
}
