import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { R2SQL_FUNCTION_LIST } from '../../../sql/index.ts';
import { renderR2SqlFunctions } from '../../../sql/dialect/render-r2-sql-functions.ts';

const committed = () => readFileSync(new URL('../../../docs/r2-sql-functions.md', import.meta.url), 'utf8');

describe('docs/r2-sql-functions.md', () => {
  it('is what `npx tsx docs/generate-r2-sql-functions.ts` writes from the function list', () => {
    expect(committed()).toBe(renderR2SqlFunctions());
  });

  it('has a row for every function, and the reason of every gap', () => {
    const doc = committed();
    for (const f of R2SQL_FUNCTION_LIST) {
      expect(doc).toContain(`| \`${f.name}\` |`);
      if (f.gap) expect(doc).toContain(f.gap.replace(/\|/g, '\\|'));
    }
  });

  it('changes when the list changes (the drift check is not vacuous)', () => {
    const fewer = R2SQL_FUNCTION_LIST.filter((f) => f.name !== 'initcap');
    expect(renderR2SqlFunctions(fewer)).not.toBe(committed());
  });
});
