import type { StorageLike } from '../storage-like.ts';
import { type Json, nowMicros, type Recorded, record } from '../store/record.ts';
import { inTransaction } from '../store/store-state.ts';
import { AnalyticsError } from './analytics-error.ts';

/** The part of a Cloudflare Workflow instance the helper reads. */
export interface WorkflowInstanceLike {
  id: string;
  status(): Promise<{ status: string; error?: unknown; output?: unknown }>;
}

/** The part of a Workflow binding (`env.MY_WORKFLOW`) the helper uses. */
export interface WorkflowBindingLike {
  create(options?: { id?: string; params?: unknown }): Promise<WorkflowInstanceLike>;
}

/** Who started a workflow, recorded with its start. */
export interface WorkflowStartOptions {
  params?: Json;
  id?: string;
  /** A name for the kind of workflow, kept in the started event (e.g. `onboarding`). */
  name?: string;
  actor?: string | null;
  requestId?: string | null;
}

/** How a settled workflow ended. */
export type WorkflowSettlement = { status: 'completed'; output?: Json } | { status: 'failed'; error: string };

/** Records Workflow instances' outcomes as events of the object that started them (not their steps). */
export interface WorkflowsApi {
  /** Creates the instance and records `Workflow.started` (target `workflows/<id>`, workflowId set). */
  start(binding: WorkflowBindingLike, options?: WorkflowStartOptions): Promise<WorkflowInstanceLike>;
  /** Reads the instance's status; once it completed or failed, records that (once) and answers it. */
  settle(instance: WorkflowInstanceLike): Promise<WorkflowSettlement | null>;
  /** Records an outcome the workflow reported itself (e.g. from its last step); once per instance. */
  record(instanceId: string, outcome: WorkflowSettlement): Recorded | null;
}

const TABLE = `CREATE TABLE IF NOT EXISTS _dotdo_workflows (
  id TEXT PRIMARY KEY, name TEXT, status TEXT NOT NULL, startedAt INTEGER NOT NULL, settledAt INTEGER)`;
const TERMINAL_FAILED = new Set(['errored', 'terminated']);
const ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

function jsonOrNull(value: unknown): Json {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as Json;
  } catch {
    return String(value);
  }
}

function message(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'message' in error) return String((error as Error).message);
  return 'the workflow failed';
}

function settled(storage: StorageLike, id: string): boolean {
  storage.sql.exec(TABLE);
  const query = 'SELECT count(*) AS n FROM _dotdo_workflows WHERE id = ? AND settledAt IS NOT NULL';
  return storage.sql.exec<{ n: number }>(query, id).one().n > 0;
}

/** Records how an instance ended, once: the event and the settled mark in one transaction. */
function recordOutcome(
  storage: StorageLike,
  instanceId: string,
  outcome: WorkflowSettlement,
): Recorded | null {
  if (typeof instanceId !== 'string' || !ID.test(instanceId))
    throw new AnalyticsError(
      'invalid_input',
      `workflow id "${String(instanceId)}" is not an instance id`,
      'instanceId',
    );
  if (outcome?.status !== 'completed' && outcome?.status !== 'failed')
    throw new AnalyticsError(
      'invalid_input',
      'outcome.status must be "completed" or "failed"',
      'outcome.status',
    );
  return inTransaction(storage, () => {
    if (settled(storage, instanceId)) return null;
    const failed = outcome.status === 'failed';
    const recorded = record(storage, {
      verb: failed ? 'fail' : 'complete',
      type: 'Workflow',
      target: `workflows/${instanceId}`,
      data: failed ? { status: 'failed' } : { status: 'completed', output: outcome.output ?? null },
      status: failed ? 'failed' : 'completed',
      error: failed ? { message: outcome.error } : undefined,
      workflowId: instanceId,
    });
    storage.sql.exec(
      `INSERT INTO _dotdo_workflows (id, status, startedAt, settledAt) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, settledAt = excluded.settledAt`,
      instanceId,
      outcome.status,
      nowMicros(),
      nowMicros(),
    );
    return recorded;
  });
}

/**
 * Creates the workflow helper of one object; `written` runs after each recorded event (arms the alarm).
 *
 * @example
 * ```ts
 * const instance = await this.$.workflows.start(this.env.ONBOARDING, { params: { customer: 'c1' } });
 * // later, from the alarm or a request:
 * await this.$.workflows.settle(await this.env.ONBOARDING.get(instance.id)); // Workflow.completed
 * ```
 */
export function createWorkflows(storage: StorageLike, ready: () => void, written: () => void): WorkflowsApi {
  const sql = storage.sql;
  function recordOnce(instanceId: string, outcome: WorkflowSettlement): Recorded | null {
    ready();
    const done = recordOutcome(storage, instanceId, outcome);
    if (done) written();
    return done;
  }

  return {
    async start(binding, options = {}) {
      ready();
      const instance = await binding.create({ id: options.id, params: options.params });
      inTransaction(storage, () => {
        sql.exec(TABLE);
        record(storage, {
          verb: 'start',
          type: 'Workflow',
          target: `workflows/${instance.id}`,
          data: { status: 'running', name: options.name ?? null, params: options.params ?? null },
          actor: options.actor ?? null,
          requestId: options.requestId ?? null,
          workflowId: instance.id,
        });
        sql.exec(
          'INSERT OR IGNORE INTO _dotdo_workflows (id, name, status, startedAt) VALUES (?, ?, ?, ?)',
          instance.id,
          options.name ?? null,
          'running',
          nowMicros(),
        );
      });
      written();
      return instance;
    },
    async settle(instance) {
      const { status, error, output } = await instance.status();
      if (status === 'complete') {
        const outcome = { status: 'completed' as const, output: jsonOrNull(output) };
        recordOnce(instance.id, outcome);
        return outcome;
      }
      if (TERMINAL_FAILED.has(status)) {
        const outcome = {
          status: 'failed' as const,
          error: status === 'terminated' ? 'terminated' : message(error),
        };
        recordOnce(instance.id, outcome);
        return outcome;
      }
      return null;
    },
    record: recordOnce,
  };
}
