/**
 * Writes docs/r2-sql-functions.md from R2 SQL's function list (sql/dialect/). Run with
 * `npx tsx docs/generate-r2-sql-functions.ts`; test/node/sql/r2-sql-functions-doc.test.ts fails when the
 * committed file differs from what this writes.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { renderR2SqlFunctions } from '../sql/dialect/render-r2-sql-functions.ts';

writeFileSync(new URL('./r2-sql-functions.md', import.meta.url), renderR2SqlFunctions());
