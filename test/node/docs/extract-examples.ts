import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One `@example` block of a JSDoc comment, turned into a module that checks what it claims. */
export interface JsDocExample {
  /** `views/define-view.ts:120`: where the example starts. */
  where: string;
  /** The export the comment documents. */
  exportName: string;
  /** The module's source: imports made absolute, `expr; // expected` lines made into checks. */
  code: string;
  /** How many `expr; // expected` lines became checks. */
  checks: number;
}

const EXAMPLE = /@example\s*\n\s*\*\s*```ts\n([\s\S]*?)\n\s*\*\s*```/g;
const EXPORT =
  /^export\s+(?:declare\s+)?(?:async\s+)?(?:function|const|class|interface|type|let)\s+([A-Za-z0-9_$]+)/m;

/** Whether `text` is a JavaScript expression (an expected value), not prose. */
function isExpression(text: string): boolean {
  try {
    new Function(`return (${text});`);
    return true;
  } catch {
    return false;
  }
}

function toCheck(line: string, where: string): string | null {
  const match = /^(.*\S);\s*\/\/\s*(.+)$/.exec(line);
  if (!match) return null;
  const [, expression, expected] = match;
  if (
    !isExpression(expected!) ||
    !isExpression(expression!) ||
    /^(const|let|await\s+using)\s/.test(expression!)
  )
    return null;
  return `globalThis.__checkExample((${expression}), (${expected}), ${JSON.stringify(where)});`;
}

function absoluteImports(line: string, fromDir: string): string {
  return line.replace(/(from\s+|import\s+)'(\.{1,2}\/[^']+)'/g, (_, lead: string, path: string) => {
    return `${lead}${JSON.stringify(resolve(fromDir, path))}`;
  });
}

/**
 * The `@example` blocks of the exported declarations of `file`, as modules to run.
 *
 * @example
 * ```ts
 * import { examplesOf } from './extract-examples.ts';
 * examplesOf('views/define-view.ts', process.cwd()).length > 0; // true
 * ```
 */
export function examplesOf(file: string, root: string): JsDocExample[] {
  const path = resolve(root, file);
  const source = readFileSync(path, 'utf8');
  const examples: JsDocExample[] = [];
  for (const match of source.matchAll(EXAMPLE)) {
    const after = source.slice(match.index + match[0].length);
    const exportName = EXPORT.exec(after.slice(after.indexOf('*/') + 2).trimStart())?.[1] ?? '?';
    const startLine = source.slice(0, match.index).split('\n').length + 2;
    let checks = 0;
    const lines = match[1]!.split('\n').map((raw, i) => {
      const line = absoluteImports(raw.replace(/^\s*\* ?/, ''), dirname(path));
      const check = toCheck(line, `${relative(root, path)}:${startLine + i}`);
      if (check) checks += 1;
      return check ?? line;
    });
    examples.push({
      where: `${relative(root, path)}:${startLine}`,
      exportName,
      code: lines.join('\n'),
      checks,
    });
  }
  return examples;
}

/**
 * The TypeScript files under `dir` (relative to `root`), sorted, tests excluded.
 *
 * @example
 * ```ts
 * import { sourceFiles } from './extract-examples.ts';
 * sourceFiles('views', process.cwd()).includes('views/define-view.ts'); // true
 * ```
 */
export function sourceFiles(dir: string, root: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/**
 * The exported functions, classes and values of `file` that have no `@example` in their JSDoc
 * (re-exports, constants and row schemas excluded).
 *
 * @example
 * ```ts
 * import { exportsWithoutExample } from './extract-examples.ts';
 * Array.isArray(exportsWithoutExample('views/define-view.ts', process.cwd())); // true
 * ```
 */
export function exportsWithoutExample(file: string, root: string): string[] {
  const source = readFileSync(resolve(root, file), 'utf8');
  const missing: string[] = [];
  for (const match of source.matchAll(/^export\s+(?:async\s+)?(function|const|class)\s+([A-Za-z0-9_$]+)/gm)) {
    const before = source.slice(0, match.index).trimEnd();
    const comment = before.endsWith('*/') ? before.slice(before.lastIndexOf('/**')) : '';
    // Constants (UPPER_CASE) and row schemas (`…Row`, `…Shape`) are data, documented without one.
    const data = /^[A-Z][A-Z0-9_]*$/.test(match[2]!) || /(Row|Shape)$/.test(match[2]!);
    if (!comment.includes('@example') && !data) missing.push(match[2]!);
  }
  return missing;
}
