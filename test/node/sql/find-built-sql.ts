/**
 * Finds SQL built by interpolating or concatenating values outside the `sql` template: a small
 * scanner over TypeScript source that knows strings, comments and nested `${…}`, so a template inside
 * an interpolation is seen as its own literal.
 *
 * @module
 */

/** One place where SQL text is built from a value by hand. */
export interface BuiltSql {
  line: number;
  /** The literal's static text with `${…}` marking each interpolation. */
  text: string;
  /** The interpolated expressions, or the concatenated operand. */
  values: string[];
}

const SQL_SHAPE =
  /\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\S+\s+SET\b|\bDELETE\s+FROM\b|\bCREATE\s+(OR\s+REPLACE\s+)?(TEMP\s+)?(TABLE|VIEW|SCHEMA|INDEX|TRIGGER|MACRO)\b|\bDROP\s+(TABLE|VIEW|SCHEMA)\b|\bCOPY\b[\s\S]*\bTO\b|\bATTACH\b|\bPRAGMA\b|\bWHERE\b[\s\S]*(=|<|>|\bIN\b|\bLIKE\b)|\bread_(parquet|json|csv|text)\(/;
// A slash after one of these starts a regular expression, not a division.
const REGEX_BEFORE = /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn|\btypeof)\s*$/;
// A constant by naming convention (META_TABLE): a name fixed in code, not a value.
const CONSTANT = /^[A-Z][A-Z0-9_]*$/;

interface Literal {
  start: number;
  end: number;
  tag: string;
  quasis: string[];
  expressions: string[];
}

/** Every string and template literal of a source file, templates with their parts. */
function literals(source: string): Literal[] {
  const found: Literal[] = [];
  let i = 0;
  const n = source.length;
  function readTemplate(start: number): number {
    // source[start] is the backtick.
    let j = start + 1;
    const quasis: string[] = [];
    const expressions: string[] = [];
    let quasi = '';
    while (j < n && source[j] !== '`') {
      if (source[j] === '\\') {
        quasi += source.slice(j, j + 2);
        j += 2;
      } else if (source[j] === '$' && source[j + 1] === '{') {
        quasis.push(quasi);
        quasi = '';
        const from = j + 2;
        j = skipCode(from, '}');
        expressions.push(source.slice(from, j).trim());
        j++;
      } else quasi += source[j++];
    }
    quasis.push(quasi);
    const tag = /([A-Za-z_$][\w$.]*)\s*$/.exec(source.slice(Math.max(0, start - 40), start))?.[1] ?? '';
    found.push({ start, end: j + 1, tag, quasis, expressions });
    return j + 1;
  }
  // Skips code until the closing `close` at depth 0, reading nested literals on the way.
  function skipCode(from: number, close: string | null): number {
    let j = from;
    let depth = 0;
    while (j < n) {
      const c = source[j]!;
      if (c === '/' && source[j + 1] === '/')
        j = source.indexOf('\n', j) === -1 ? n : source.indexOf('\n', j);
      else if (c === '/' && source[j + 1] === '*') j = source.indexOf('*/', j + 2) + 2 || n;
      else if (c === '`') j = readTemplate(j);
      else if (c === '/' && REGEX_BEFORE.test(source.slice(Math.max(0, j - 12), j))) j = skipRegex(j);
      else if (c === "'" || c === '"') {
        let k = j + 1;
        while (k < n && source[k] !== c && source[k] !== '\n') k += source[k] === '\\' ? 2 : 1;
        found.push({ start: j, end: k + 1, tag: '', quasis: [source.slice(j + 1, k)], expressions: [] });
        j = k + 1;
      } else if (c === '{') {
        depth++;
        j++;
      } else if (c === '}') {
        if (depth === 0 && close === '}') return j;
        depth--;
        j++;
      } else j++;
    }
    return j;
  }
  // A regular expression literal: to its closing slash, minding escapes and character classes.
  function skipRegex(from: number): number {
    let j = from + 1;
    let inClass = false;
    while (j < n && source[j] !== '\n') {
      const c = source[j]!;
      if (c === '\\') j += 2;
      else {
        if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) return j + 1;
        j++;
      }
    }
    return j;
  }
  while (i < n) i = skipCode(i, null) + 1;
  return found;
}

/**
 * The places in `source` where SQL is built from a value by hand: a template literal that reads as
 * SQL and interpolates anything but a CONSTANT_CASE name, unless it is tagged `sql`; or a literal
 * that reads as SQL joined to something with `+`.
 *
 * @example
 * ```ts
 * import { findBuiltSql } from './find-built-sql.ts';
 * findBuiltSql("const q = `SELECT * FROM t WHERE id = '${id}'`;").length; // 1
 * ```
 */
export function findBuiltSql(source: string): BuiltSql[] {
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
  const built: BuiltSql[] = [];
  for (const literal of literals(source)) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: marks where an interpolation was
    const text = literal.quasis.join('${…}');
    if (!SQL_SHAPE.test(text)) continue;
    if (literal.tag === 'sql' || literal.tag.endsWith('.sql')) continue;
    const values = literal.expressions.filter((e) => !CONSTANT.test(e));
    if (values.length > 0) built.push({ line: lineOf(literal.start), text, values });
    const before = source.slice(0, literal.start).trimEnd();
    const after = source.slice(literal.end).trimStart();
    if (before.endsWith('+') || (after.startsWith('+') && !after.startsWith('++'))) {
      built.push({ line: lineOf(literal.start), text, values: ['(concatenated with +)'] });
    }
  }
  return built;
}
