import { expect } from 'vitest';
import { createViewRegistry } from '../../../views/index.ts';
import { normalizeRows } from './small-lake.ts';
import type { ViewCase, Workload } from './view-case.ts';

/** What {@link runCases} needs: an R2-dialect engine over a lake of the workload's events. */
export interface CaseEngine {
  query(sql: string): Promise<{ schema: { name: string }[]; rows: Record<string, unknown>[] }>;
}

/**
 * Runs every case on the engine and compares the view's rows with the case's independent answer.
 * Answers how many rows each case had, so a caller can check the cases are not vacuous.
 */
export async function runCases(
  engine: CaseEngine,
  w: Workload,
  cases: readonly ViewCase[],
): Promise<Map<string, number>> {
  const registry = createViewRegistry(cases.map((c) => c.view).filter((v, i, all) => all.indexOf(v) === i));
  const sizes = new Map<string, number>();
  for (const c of cases) {
    const params = typeof c.params === 'function' ? (c.params as (w: Workload) => unknown)(w) : c.params;
    const want = c.expected(w, params);
    const { rows } = await registry.run(engine, c.view.key, params);
    const got = normalizeRows(rows as Record<string, unknown>[]);
    expect({ case: c.name, rows: got }).toEqual({ case: c.name, rows: want });
    sizes.set(c.name, want.length);
  }
  return sizes;
}
