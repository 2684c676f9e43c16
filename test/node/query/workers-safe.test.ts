import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url).pathname;

describe('the SQL core and the R2 SQL client are Workers-safe', () => {
  it.each(['sql', 'sql/dialect', 'sql/pipelines', 'query/r2sql', 'query/api'])(
    '%s imports no Node API and nothing Node-only of ours',
    (dir) => {
      for (const file of readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.ts'))) {
        // Examples in doc comments may show Node-side wiring; only code counts.
        const source = readFileSync(join(ROOT, dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
        const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
        for (const target of imports) {
          expect(target, `${dir}/${file}`).not.toMatch(/^node:|^@duckdb|duckdb\/|^\.\.\/\.\.\/local\//);
        }
        expect(source, `${dir}/${file}`).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/);
      }
    },
  );
});
