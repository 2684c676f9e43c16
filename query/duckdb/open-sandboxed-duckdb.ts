import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { sql } from '../../sql/index.ts';
import type { ResolvedDuckDbQueryLimits } from './duckdb-engine-config.ts';

/** An in-memory DuckDB that can open files only under the allowed directories. */
export interface SandboxedDuckDb {
  /** For the engine's own statements (views over the lake): never for a caller's SQL. */
  admin: DuckDBConnection;
  /** One connection per concurrent query, so a timeout interrupts only its own query. */
  workers: DuckDBConnection[];
  close(): void;
}

/**
 * Opens DuckDB in memory and locks it down before any caller's SQL can reach it:
 * `enable_external_access = false` with `allowed_directories` = the lake (DuckDB then opens, globs
 * and lists nothing else: no other file, no ATTACH, COPY, INSTALL or LOAD outside it), known
 * extensions neither installed nor loaded on demand, no temp directory (nothing spills), the memory
 * limit, threads and UTC set, Parquet footers and file contents cached without re-checking the disk
 * (lake files are immutable), then `lock_configuration = true`, so no statement can undo any of it.
 *
 * @example
 * ```ts
 * import { resolveQueryLimits } from './duckdb-engine-config.ts';
 * import { openSandboxedDuckDb } from './open-sandboxed-duckdb.ts';
 * const db = await openSandboxedDuckDb(['/srv/lake/'], 'analytics', resolveQueryLimits());
 * await db.admin.run('SELECT 1');
 * db.close();
 * ```
 */
export async function openSandboxedDuckDb(
  allowedDirectories: string[],
  namespace: string,
  limits: ResolvedDuckDbQueryLimits,
): Promise<SandboxedDuckDb> {
  const instance = await DuckDBInstance.create(':memory:', {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    threads: String(limits.threads),
    memory_limit: limits.memoryLimit,
    // The default temp directory (./.tmp) would join the allowed directories; none means no spilling.
    temp_directory: '',
  });
  const admin = await instance.connect();
  const directories = allowedDirectories.map((dir) => (dir.endsWith('/') ? dir : `${dir}/`));
  await admin.run(sql`SET allowed_directories = [${sql.join(directories)}]`.text);
  await admin.run('SET enable_external_access = false');
  await admin.run("SET TimeZone = 'UTC'");
  // Lake files are written whole and never change: their footers are parsed once, not per query
  // (GLOBAL: the workers' connections share it).
  await admin.run('SET GLOBAL parquet_metadata_cache = true');
  // Nor is a cached file checked against the disk on every query (a stat and open per file, most
  // of what a query of many files costs): a lake file is written whole under a fresh name, renamed
  // into place and never rewritten, so a path's content never changes while it is listed.
  await admin.run("SET GLOBAL validate_external_file_cache = 'NO_VALIDATION'");
  await admin.run('SET lock_configuration = true');
  const workers: DuckDBConnection[] = [];
  for (let i = 0; i < limits.maxConcurrentQueries; i++) workers.push(await instance.connect());
  await admin.run(sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(namespace)}`.text);
  for (const connection of [admin, ...workers]) {
    await connection.run(sql`SET search_path = ${`${namespace},main`}`.text);
  }
  return {
    admin,
    workers,
    close() {
      for (const connection of [admin, ...workers]) connection.closeSync();
      instance.closeSync();
    },
  };
}
