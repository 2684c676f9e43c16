import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { examplesOf, exportsWithoutExample, sourceFiles } from './extract-examples.ts';

// Folders whose public exports document themselves with examples that run: each `expr; // value` line
// in an example is checked (deep equality), and an example must make at least one such claim.
const FOLDERS = ['views'];
const root = new URL('../../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'dotdo-jsdoc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const checked: string[] = [];
(globalThis as { __checkExample?: unknown }).__checkExample = (
  actual: unknown,
  expected: unknown,
  where: string,
) => {
  checked.push(where);
  expect(actual, where).toEqual(expected);
};

const files = FOLDERS.flatMap((folder) => sourceFiles(folder, root));

describe('JSDoc examples run', () => {
  it('finds the files', () => expect(files.length).toBeGreaterThan(3));

  for (const file of files) {
    describe(file, () => {
      it('every exported function, const and class has an @example', () => {
        expect(exportsWithoutExample(file, root)).toEqual([]);
      });
      examplesOf(file, root).forEach((example, i) => {
        it(`${example.exportName} (${example.where})`, async () => {
          expect(example.checks, `${example.where} makes no "expr; // value" claim`).toBeGreaterThan(0);
          const path = join(dir, `${file.replaceAll('/', '_')}.${i}.ts`);
          writeFileSync(path, `${example.code}\nexport {};\n`);
          const before = checked.length;
          await import(path);
          expect(checked.length - before).toBe(example.checks);
        });
      });
    });
  }
});
