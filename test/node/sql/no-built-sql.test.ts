import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuiltSql } from './find-built-sql.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
// sql/ holds the template (and the dialect, which rewrites SQL text it has tokenized); test/ builds
// SQL over its own temp paths.
const OUTSIDE = new Set(['node_modules', '.data', '.git', 'sql', 'test']);

/**
 * The only files outside sql/ that may build SQL by hand, each with its reason. schemas/ sits below
 * sql/ in the import direction (it imports nothing of ours), so its derived DDL cannot use the
 * template: it quotes the zod schemas' own column names, never input.
 */
const ALLOWED: Record<string, string> = {
  'schemas/derive/to-duckdb-ddl.ts': 'DDL from the zod schemas; schemas/ may not import sql/',
  'schemas/derive/to-union-select.ts': 'a SELECT over the zod schemas; schemas/ may not import sql/',
};

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!(dir === ROOT.replace(/\/$/, '') && OUTSIDE.has(entry.name)) && entry.name !== 'node_modules')
        yield* sources(path);
    } else if (entry.name.endsWith('.ts')) yield path;
  }
}

describe('no SQL is built by hand outside sql/', () => {
  // The cases are source text: `${…}` inside plain strings is meant.
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: source text under test
  it('finds interpolation and concatenation, and lets the template, constants and plain text pass', () => {
    const found = (source: string) => findBuiltSql(source).map((b) => b.values);
    expect(found("const q = `SELECT * FROM t WHERE id = '${id}'`;")).toEqual([['id']]);
    expect(found("const q = 'SELECT * FROM t WHERE ns = ' + ns;")).toEqual([['(concatenated with +)']]);
    expect(found('const q = `INSERT INTO ${table} (a) VALUES (?)`;')).toEqual([['table']]);
    expect(found('const q = sql`SELECT * FROM t WHERE id = ${id}`.text;')).toEqual([]);
    expect(found('const q = `SELECT value FROM ${META_TABLE} WHERE key = ?`;')).toEqual([]);
    expect(found('throw new Error(`the SELECT produces ${name} twice`);')).toEqual([]);
    // A regular expression with a quote in it must not throw the scanner out of step.
    expect(found('const r = /"/g; const q = `DELETE FROM x WHERE id = ${id}`;')).toEqual([['id']]);
    // A template nested in an interpolation is its own literal.
    expect(found('f(sql`SELECT ${`x`} FROM t WHERE a = ${1}`)')).toEqual([]);
  });
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: source text under test

  it('holds for every TypeScript file of the project', () => {
    const offenders: string[] = [];
    for (const file of sources(ROOT.replace(/\/$/, ''))) {
      const path = relative(ROOT, file);
      if (ALLOWED[path]) continue;
      for (const built of findBuiltSql(readFileSync(file, 'utf8'))) {
        offenders.push(`${path}:${built.line} interpolates ${built.values.join(', ')}`);
      }
    }
    expect(offenders, 'write these with the sql template (sql/sql-template.ts)').toEqual([]);
  });

  it('allows only files that still build SQL (a stale entry is an error)', () => {
    for (const path of Object.keys(ALLOWED)) {
      expect(findBuiltSql(readFileSync(join(ROOT, path), 'utf8')).length, path).toBeGreaterThan(0);
    }
  });
});
