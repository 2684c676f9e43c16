import type { StorageLike } from '../storage-like.ts';
import { nowMicros } from './record.ts';

/** A branch: a line of versions forked from a point in this object's version log. */
export interface Branch {
  name: string;
  /** The newest version written on the branch (the base until the first write). */
  head: number | null;
  /** The version-log position it was forked at: reads fall back to the parent at or below it. */
  base: number | null;
  forkedFrom: string;
  createdAt: number;
}

/** Options of {@link createBranch}. */
export interface CreateBranchOptions {
  name: string;
  /** The version to fork at; defaults to the newest version in the object. */
  from?: number;
  /** The parent branch (default `main`). */
  forkedFrom?: string;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

/**
 * Forks a branch: reads on it see the parent's things as of `from`; writes on it move its head and
 * leave the parent untouched.
 *
 * @example
 * ```ts
 * import { createBranch } from './branches.ts';
 * createBranch(ctx.storage, { name: 'experiment' });
 * record(ctx.storage, { verb: 'update', type: 'Startup', target: 'acme', branch: 'experiment', data: { pivot: true } });
 * ```
 */
export function createBranch(storage: StorageLike, options: CreateBranchOptions): Branch {
  const { name } = options;
  if (!NAME.test(name) || name === 'main' || /^v\d+$/.test(name)) {
    throw new Error(`branch name "${name}" must match ${NAME} and be neither "main" nor v<digits>`);
  }
  const forkedFrom = options.forkedFrom ?? 'main';
  if (
    forkedFrom !== 'main' &&
    !storage.sql.exec('SELECT 1 FROM branches WHERE name = ?', forkedFrom).toArray().length
  ) {
    throw new Error(`cannot fork from "${forkedFrom}": no such branch`);
  }
  const newest = storage.sql.exec<{ v: number | null }>('SELECT max(version) AS v FROM things').one().v;
  const base = options.from ?? newest;
  if (base !== null && (!Number.isSafeInteger(base) || base < 1 || (newest !== null && base > newest))) {
    throw new Error(`cannot fork at version ${base}: the newest version is ${newest ?? 'none'}`);
  }
  if (storage.sql.exec('SELECT 1 FROM branches WHERE name = ?', name).toArray().length) {
    throw new Error(`branch "${name}" already exists`);
  }
  const createdAt = nowMicros();
  storage.sql.exec(
    'INSERT INTO branches (name, head, base, forkedFrom, createdAt) VALUES (?, ?, ?, ?, ?)',
    name,
    base,
    base,
    forkedFrom,
    createdAt,
  );
  return { name, head: base, base, forkedFrom, createdAt };
}

/**
 * The branches of this object.
 *
 * @example
 * ```ts
 * import { listBranches } from './branches.ts';
 * listBranches(ctx.storage).map((b) => b.name);
 * ```
 */
export function listBranches(storage: StorageLike): Branch[] {
  return storage.sql
    .exec<Branch & Record<string, number | string | null>>(
      'SELECT name, head, base, forkedFrom, createdAt FROM branches ORDER BY id',
    )
    .toArray();
}
