import type { R2SqlFunction } from './r2-sql-function.ts';
import { R2SQL_SAMPLE_TABLE } from './r2-sql-function.ts';
import { R2SQL_FUNCTION_LIST } from './r2-sql-function-list.ts';
import { R2SQL_FUNCTIONS } from './r2-sql-functions.ts';
import { R2SQL_LIMITS } from './r2-sql-limits.ts';

const SOURCES: Record<R2SqlFunction['source'], string> = {
  'scalar-functions': 'r2-sql/sql-reference/scalar-functions.mdx',
  'complex-types': 'r2-sql/sql-reference/complex-types.mdx',
  'aggregate-functions': 'r2-sql/sql-reference/aggregate-functions.mdx',
  changelog: 'R2 SQL changelog 2026-06-21 (exact aggregates)',
  datafusion: "DataFusion's window functions (R2 SQL's engine)",
};

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

function status(f: R2SqlFunction): string {
  if (f.gap) return `**gap**: ${f.gap}`;
  const local = R2SQL_FUNCTIONS[f.name] ? 'rewritten' : 'DuckDB built-in';
  return f.example ? `runs (${local})` : `runs (${local}); see note`;
}

function row(f: R2SqlFunction): string {
  const example = f.example ? code(f.check ? f.check.replaceAll('$', `(${f.example})`) : f.example) : '';
  const expected = f.example ? code(JSON.stringify(f.expected)) : '';
  const type = f.localType ? `${f.returns} (local: ${f.localType})` : f.returns;
  const notes = [f.aliasOf ? `alias of ${code(f.aliasOf)}` : '', f.note ?? ''].filter(Boolean).join('; ');
  return `| ${code(f.name)} | ${cell(type)} | ${cell(status(f))} | ${cell(example)} | ${cell(expected)} | ${cell(notes)} |`;
}

/**
 * Renders R2 SQL's function list as the Markdown table committed at `docs/r2-sql-functions.md`: per
 * function its result type, whether the local engine runs it (and how) or why not, and the checked
 * example the tests run.
 *
 * @example
 * ```ts
 * import { renderR2SqlFunctions } from './render-r2-sql-functions.ts';
 * renderR2SqlFunctions().startsWith('# R2 SQL functions'); // true
 * ```
 */
export function renderR2SqlFunctions(list: readonly R2SqlFunction[] = R2SQL_FUNCTION_LIST): string {
  const count = (kind: R2SqlFunction['kind']) => list.filter((f) => f.kind === kind).length;
  const gaps = list.filter((f) => f.gap);
  const lines = [
    '# R2 SQL functions in the local engine',
    '',
    '<!-- Generated from sql/dialect/r2-sql-*-functions.ts by `npx tsx docs/generate-r2-sql-functions.ts`; a test fails when it drifts. -->',
    '',
    `Every function R2 SQL documents, by its R2 SQL name: ${count('scalar')} scalar (with aliases; the scalar-functions and complex-types references), ${count('aggregate')} aggregate (with aliases and the changelog's exact aggregates) and ${count('window')} window functions. ${list.length - gaps.length} run locally under their R2 SQL name; ${gaps.length} are declared gaps, refused with 40004 and the reason below. Any other function name is refused with 40004 naming it.`,
    '',
    "The *type* is the Arrow type R2 SQL returns for the example; the tests check that DuckDB's result has the same kind (integer, float, string, list, ...; integer widths are not compared, JSON carries none). Aggregate and window examples read",
    '',
    `\`${R2SQL_SAMPLE_TABLE}\``,
    '',
    'and a window example lists its values in `x` order. An example with `$` checks a property of a non-deterministic result.',
    '',
    '## How names are resolved',
    '',
    "A call is looked up the way DuckDB would find it — quoted or not, case-folded — in this list only; a schema-qualified call (`main.read_csv(...)`, `system.main.x(...)`) and method-style calls are refused. A table is `namespace.table` or a CTE of the query: file paths (quoted or as strings), table functions, catalog-qualified names and the engine's catalogs (`information_schema`, `pg_catalog`, `duckdb_*`, `sqlite_*`) are refused with 40004. Given the bucket's tables, an unknown table is refused naming it and listing the known ones.",
    '',
    `Queries over ${R2SQL_LIMITS.maxQueryBytes} bytes (UTF-8) or nesting parentheses over ${R2SQL_LIMITS.maxNestingDepth} levels are refused with 40004 naming the limit (\`maxQueryBytes\`, \`maxNestingDepth\`); translation is linear in the query's size. \`NOT IN (subquery)\` is refused: R2 SQL refuses it on a nullable column, and whether the subquery's column can be NULL is not known from the query alone; \`NOT EXISTS\` is the rewrite.`,
    '',
    "Unaliased result columns get R2 SQL's (DataFusion's) names: `count(*)`, `sum(analytics.events.seq)`, `Int64(1)`.",
    '',
  ];
  for (const kind of ['scalar', 'aggregate', 'window'] as const) {
    const categories = [...new Set(list.filter((f) => f.kind === kind).map((f) => f.category))];
    for (const category of categories) {
      const entries = list.filter((f) => f.kind === kind && f.category === category);
      lines.push(
        `## ${kind === 'scalar' ? 'Scalar' : kind === 'aggregate' ? 'Aggregate' : 'Window'}: ${category}`,
        '',
      );
      lines.push(`Source: ${SOURCES[entries[0]!.source]}.`, '');
      lines.push(
        '| function | type | local engine | example | result | notes |',
        '|---|---|---|---|---|---|',
      );
      for (const f of entries) lines.push(row(f));
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
