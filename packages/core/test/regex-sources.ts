// Finds every regular expression in TypeScript sources by walking the compiler's AST: regex
// literals, and `new RegExp(...)` / `RegExp(...)` calls. A call with a literal source (a string,
// a template without substitutions, or `String.raw` of one) is as good as a literal; any other
// call builds its pattern at run time and is reported as dynamic, for review by hand.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface FoundRegex {
  /** Path from the repository root, `/`-separated. */
  readonly file: string;
  /** 1-based line of the literal or the call. */
  readonly line: number;
  /** The pattern source and flags; `undefined` for a dynamic call. */
  readonly source: string | undefined;
  readonly flags: string;
  /** The code as written: `/a+/g` or `new RegExp(pattern)`. */
  readonly text: string;
}

/** The TypeScript files under `dir`, test files excepted (their regexes are fixtures, not code). */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.[cm]?ts$/.test(name) && !/\.test(-d)?\.[cm]?ts$/.test(name) && !name.split(/[\\/]/).includes('node_modules'))
    .map((name) => join(dir, name))
    .sort();
}

/** The literal text of a RegExp constructor argument, or undefined when it is computed. */
function literalText(node: ts.Expression | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTaggedTemplateExpression(node) && node.tag.getText() === 'String.raw' && ts.isNoSubstitutionTemplateLiteral(node.template)) {
    return node.template.rawText;
  }
  return undefined;
}

function isRegExpConstructor(node: ts.Node): node is ts.NewExpression | ts.CallExpression {
  return (ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp';
}

/** Every regex in the non-test TypeScript sources of each directory in `dirs` (absolute paths). */
export function findRegexes(root: string, dirs: readonly string[]): FoundRegex[] {
  const found: FoundRegex[] = [];
  for (const path of dirs.flatMap(sourceFiles)) {
    const file = relative(root, path).split('\\').join('/');
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const add = (node: ts.Node, source: string | undefined, flags: string): void => {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      found.push({ file, line, source, flags, text: node.getText(sf) });
    };
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText(sf);
        const end = text.lastIndexOf('/');
        add(node, text.slice(1, end), text.slice(end + 1));
      } else if (isRegExpConstructor(node)) {
        const [pattern, flags] = node.arguments ?? [];
        const source = literalText(pattern);
        const flagText = flags === undefined ? '' : literalText(flags);
        // `new RegExp(/x/, 'g')` re-flags a literal the walk already found.
        if (pattern === undefined || pattern.kind !== ts.SyntaxKind.RegularExpressionLiteral || flagText === undefined) {
          add(node, flagText === undefined ? undefined : source, flagText ?? '');
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}
