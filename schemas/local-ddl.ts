/**
 * The tables inside each Durable Object's SQLite, as numbered migrations. Things are versioned, never
 * mutated: the `things` rowid (`version`) is the version. Timestamps are integers of UTC microseconds.
 * The store hands out every version, action id and event `seq` itself (the next after the highest ever
 * used, which compaction records in the meta table), so ids are never reused even after local history
 * is compacted. The hot tables carry no foreign keys, CHECK constraints or AUTOINCREMENT: each costs
 * microseconds on every `record()`, and every write to them goes through the store, which resolves and
 * validates the same references in memory.
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
        version INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        type INTEGER NOT NULL,
        branch TEXT,
        name TEXT,
        data TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        visibility TEXT NOT NULL DEFAULT 'user',
        createdAt INTEGER NOT NULL
      )`,
      'CREATE INDEX things_by_id ON things (id, branch, version)',
      `CREATE TABLE actions (
        id INTEGER PRIMARY KEY,
        verb INTEGER NOT NULL,
        actor TEXT,
        target TEXT NOT NULL,
        input INTEGER,
        output INTEGER,
        options TEXT,
        durability TEXT NOT NULL DEFAULT 'try',
        status TEXT NOT NULL DEFAULT 'completed',
        error TEXT,
        requestId TEXT,
        sessionId TEXT,
        workflowId TEXT,
        correlationId TEXT,
        type INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        nextAttemptAt INTEGER,
        createdAt INTEGER NOT NULL,
        startedAt INTEGER,
        completedAt INTEGER,
        ts INTEGER NOT NULL
      )`,
      // The durable (`do`) actions still in flight. A separate table rather than a partial index, which
      // every insert into `actions` would pay for.
      'CREATE TABLE _dotdo_due (action INTEGER PRIMARY KEY)',
      // The outbox. `row` is the global row, built and hashed in the recording transaction: its canonical
      // JSON (keys sorted, nulls left out) with `hash` appended. No generated columns: SQLite computes
      // even virtual ones on every insert. `event_log` reads the common fields out of the row.
      `CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        action INTEGER,
        row TEXT NOT NULL
      )`,
      `CREATE VIEW event_log AS SELECT id AS seq, action, json_extract(row, '$.event') AS event,
        json_extract(row, '$.target') AS target, json_extract(row, '$.ts') AS ts,
        json_extract(row, '$.prev_hash') AS prev_hash, json_extract(row, '$.hash') AS hash, row
        FROM events`,
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
        NULL AS row`,
      `CREATE TRIGGER _dotdo_record_insert INSTEAD OF INSERT ON _dotdo_record BEGIN
        INSERT INTO things (version, id, type, branch, name, data, deleted, createdAt)
          SELECT NEW.version, NEW.target, NEW.type, NEW.branch, NEW.name, NEW.data, coalesce(NEW.deleted, 0), NEW.ts
          WHERE NEW.version IS NOT NULL;
        INSERT INTO actions (id, verb, actor, target, input, output, durability, status, error, requestId,
            sessionId, workflowId, correlationId, type, createdAt, startedAt, completedAt, ts)
          VALUES (NEW.action, NEW.verb, NEW.actor, NEW.target, NEW.input, NEW.version, coalesce(NEW.durability, 'try'),
            coalesce(NEW.status, 'completed'), NEW.error, NEW.requestId, NEW.sessionId, NEW.workflowId,
            NEW.correlationId, NEW.type, NEW.ts, NEW.startedAt, NEW.completedAt, NEW.ts);
        INSERT INTO events (id, action, row) VALUES (NEW.seq, NEW.action, NEW.row);
      END`,
      `CREATE TABLE _dotdo_dead_letters (
        seq INTEGER PRIMARY KEY,
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
  {
    version: 2,
    statements: [
      // The sink's code for a dead letter (schema_mismatch, too_large, ...), beside its reason.
      'ALTER TABLE _dotdo_dead_letters ADD COLUMN code TEXT',
    ],
  },
];

/** The newest local schema version. */
export const LOCAL_SCHEMA_VERSION = LOCAL_MIGRATIONS.at(-1)?.version ?? 0;
