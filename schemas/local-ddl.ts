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
      "CREATE INDEX actions_due ON actions (nextAttemptAt) WHERE status IN ('pending', 'running', 'retrying')",
      // The outbox. `row` is the global row, built and hashed in the recording transaction. The other
      // columns are read from it, so a write binds only what it must.
      `CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        action INTEGER REFERENCES actions(id),
        row TEXT NOT NULL,
        hash TEXT NOT NULL,
        verb TEXT GENERATED ALWAYS AS (json_extract(row, '$.verb')) VIRTUAL,
        source TEXT GENERATED ALWAYS AS (json_extract(row, '$.target')) VIRTUAL,
        ts INTEGER GENERATED ALWAYS AS (json_extract(row, '$.ts')) VIRTUAL,
        prev_hash TEXT GENERATED ALWAYS AS (json_extract(row, '$.prev_hash')) VIRTUAL
      )`,
      // Streaming goes in seq order and one flush at a time, so "streamed" is a watermark: every event
      // with id <= streamedThrough was acknowledged by the sink (or dead-lettered).
      `CREATE TABLE _dotdo_outbox (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        streamedThrough INTEGER NOT NULL,
        streamedAt INTEGER
      )`,
      'INSERT INTO _dotdo_outbox (id, streamedThrough) VALUES (1, 0)',
      // record() writes version + action + event with one bound INSERT into this view; the trigger does
      // the three inserts inside SQLite, which costs far less than three exec calls from JavaScript.
      `CREATE VIEW _dotdo_record AS SELECT
        NULL AS version, NULL AS target, NULL AS type, NULL AS branch, NULL AS name, NULL AS data,
        NULL AS deleted, NULL AS action, NULL AS verb, NULL AS actor, NULL AS input, NULL AS durability,
        NULL AS status, NULL AS error, NULL AS requestId, NULL AS sessionId, NULL AS workflowId,
        NULL AS correlationId, NULL AS startedAt, NULL AS completedAt, NULL AS ts, NULL AS seq,
        NULL AS row, NULL AS hash`,
      `CREATE TRIGGER _dotdo_record_insert INSTEAD OF INSERT ON _dotdo_record BEGIN
        INSERT INTO things (version, id, type, branch, name, data, deleted, createdAt)
          SELECT NEW.version, NEW.target, NEW.type, NEW.branch, NEW.name, NEW.data, coalesce(NEW.deleted, 0), NEW.ts
          WHERE NEW.version IS NOT NULL;
        INSERT INTO actions (id, verb, actor, target, input, output, durability, status, error, requestId,
            sessionId, workflowId, correlationId, type, createdAt, startedAt, completedAt, ts)
          VALUES (NEW.action, NEW.verb, NEW.actor, NEW.target, NEW.input, NEW.version, coalesce(NEW.durability, 'try'),
            coalesce(NEW.status, 'completed'), NEW.error, NEW.requestId, NEW.sessionId, NEW.workflowId,
            NEW.correlationId, NEW.type, NEW.ts, NEW.startedAt, NEW.completedAt, NEW.ts);
        INSERT INTO events (id, action, row, hash) VALUES (NEW.seq, NEW.action, NEW.row, NEW.hash);
      END`,
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
