/**
 * The tables inside each Durable Object's SQLite, as numbered migrations. Things are versioned, never
 * mutated: the `things` rowid (`version`) is the version. Timestamps are integers of UTC microseconds.
 * `AUTOINCREMENT` keeps rowids from ever being reused, so event `seq` stays gapless and monotonic even
 * after local history is compacted.
 *
 * @module
 */

/** One step of the local schema; applied once, in order, gated on the schema-version row. */
export interface LocalMigration {
  version: number;
  statements: readonly string[];
}

/** The table that holds the schema version and the storage's incarnation id. */
export const META_TABLE = '_dotdo_meta';

/**
 * The local schema, oldest first. Append; never edit a migration that has shipped.
 *
 * @example
 * ```ts
 * import { LOCAL_MIGRATIONS } from './local-ddl.ts';
 * LOCAL_MIGRATIONS.at(-1)?.version; // the current local schema version
 * ```
 */
export const LOCAL_MIGRATIONS: readonly LocalMigration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE nouns (
        id INTEGER PRIMARY KEY,
        noun TEXT NOT NULL UNIQUE,
        plural TEXT,
        description TEXT,
        schema TEXT
      )`,
      `CREATE TABLE verbs (
        id INTEGER PRIMARY KEY,
        verb TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL,
        activity TEXT NOT NULL,
        event TEXT NOT NULL,
        reverse TEXT NOT NULL,
        inverse TEXT,
        description TEXT
      )`,
      `CREATE TABLE things (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        type INTEGER NOT NULL REFERENCES nouns(id),
        branch TEXT,
        name TEXT,
        data TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        visibility TEXT NOT NULL DEFAULT 'user',
        createdAt INTEGER NOT NULL
      )`,
      'CREATE INDEX things_by_id ON things (id, branch, version)',
      `CREATE TABLE actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        verb INTEGER NOT NULL REFERENCES verbs(id),
        actor TEXT,
        target TEXT NOT NULL,
        input INTEGER REFERENCES things(version),
        output INTEGER REFERENCES things(version),
        options TEXT,
        durability TEXT NOT NULL DEFAULT 'try' CHECK (durability IN ('send', 'try', 'do')),
        status TEXT NOT NULL DEFAULT 'completed'
          CHECK (status IN ('pending', 'running', 'completed', 'failed', 'undone', 'retrying')),
        error TEXT,
        requestId TEXT,
        sessionId TEXT,
        workflowId TEXT,
        correlationId TEXT,
        type INTEGER REFERENCES nouns(id),
        attempts INTEGER NOT NULL DEFAULT 0,
        nextAttemptAt INTEGER,
        createdAt INTEGER NOT NULL,
        startedAt INTEGER,
        completedAt INTEGER,
        ts INTEGER NOT NULL
      )`,
      'CREATE INDEX actions_due ON actions (nextAttemptAt) WHERE status IN (\'pending\', \'running\', \'retrying\')',
      // The outbox. `row` is the global row, built and hashed in the recording transaction; `streamed`
      // is 0 while pending, 1 once the sink acknowledged it, 2 when dead-lettered.
      `CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        action INTEGER REFERENCES actions(id),
        verb TEXT NOT NULL,
        source TEXT NOT NULL,
        ts INTEGER NOT NULL,
        row TEXT NOT NULL,
        prev_hash TEXT,
        hash TEXT NOT NULL,
        streamed INTEGER NOT NULL DEFAULT 0,
        streamedAt INTEGER
      )`,
      'CREATE INDEX events_unstreamed ON events (id) WHERE streamed = 0',
      `CREATE TABLE _dotdo_dead_letters (
        seq INTEGER PRIMARY KEY REFERENCES events(id),
        reason TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        at INTEGER NOT NULL
      )`,
      `CREATE TABLE _dotdo_checkpoints (
        head_seq INTEGER PRIMARY KEY,
        head_hash TEXT NOT NULL,
        count INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        streamed INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE branches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        head INTEGER REFERENCES things(version),
        base INTEGER REFERENCES things(version),
        forkedFrom TEXT,
        createdAt INTEGER NOT NULL
      )`,
    ],
  },
];

/** The newest local schema version. */
export const LOCAL_SCHEMA_VERSION = LOCAL_MIGRATIONS.at(-1)?.version ?? 0;
