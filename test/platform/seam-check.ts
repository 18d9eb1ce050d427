/**
 * Finds what ties a source file to one host: imports of Node's built-in modules (`node:*`
 * or a bare builtin name such as 'fs'), `require(...)` of them, and references to the
 * host globals `process`, `window` and `document` (also as `globalThis.process` and
 * `globalThis['process']`). Uses the TypeScript parser, so comments, strings and property
 * names (`t.window`, `{ process: 1 }`) do not count.
 */
import { isBuiltin } from 'node:module';
import ts from 'typescript';

const HOST_GLOBALS = new Set(['process', 'window', 'document']);

/** One finding: 1-based line and what was found. */
export interface HostUse {
  line: number;
  what: string;
}

export function findHostUses(fileName: string, source: string): HostUse[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: HostUse[] = [];
  const report = (node: ts.Node, what: string): void => {
    found.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, what });
  };
  const checkSpecifier = (node: ts.Node, spec: ts.Expression | undefined): void => {
    if (spec !== undefined && ts.isStringLiteralLike(spec) && isBuiltin(spec.text)) report(node, `import of '${spec.text}'`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      checkSpecifier(node, node.moduleSpecifier);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        checkSpecifier(node, node.arguments[0]);
      }
    } else if (ts.isIdentifier(node) && HOST_GLOBALS.has(node.text) && isFreeReference(node)) {
      report(node, `the global '${node.text}'`);
    } else if (ts.isPropertyAccessExpression(node) && isGlobalThis(node.expression) && HOST_GLOBALS.has(node.name.text)) {
      report(node, `globalThis.${node.name.text}`);
    } else if (ts.isElementAccessExpression(node) && isGlobalThis(node.expression) &&
      ts.isStringLiteralLike(node.argumentExpression) && HOST_GLOBALS.has(node.argumentExpression.text)) {
      report(node, `globalThis['${node.argumentExpression.text}']`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const isGlobalThis = (e: ts.Expression): boolean => ts.isIdentifier(e) && (e.text === 'globalThis' || e.text === 'self');

/** True unless the identifier is a property name, a declared name, or part of a type. */
function isFreeReference(id: ts.Identifier): boolean {
  const parent = id.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === id) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) ||
    ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) ||
    ts.isSetAccessor(parent) || ts.isEnumMember(parent)) && parent.name === id) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) ||
    ts.isClassDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === id) return false;
  if (ts.isBindingElement(parent) && parent.propertyName === id) return false;
  if (ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent)) return false;
  return true;
}
