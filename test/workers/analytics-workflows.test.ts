import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { WorkflowBindingLike, WorkflowInstanceLike } from '../../ingest/index.ts';
import { lakeEvents } from './helpers.ts';

/**
 * A Workflows binding stand-in with the platform's instance shape (`id`, `status()`): the test drives
 * each instance's status by hand, as the Workflows engine would.
 */
function workflowsStandIn() {
  const statuses = new Map<string, { status: string; output?: unknown; error?: unknown }>();
  let next = 0;
  const instance = (id: string): WorkflowInstanceLike => ({ id, status: async () => statuses.get(id)! });
  const binding: WorkflowBindingLike = {
    async create(options) {
      const id = options?.id ?? `wf-${++next}`;
      statuses.set(id, { status: 'running' });
      return instance(id);
    },
  };
  return {
    binding,
    instance,
    set: (id: string, s: { status: string; output?: unknown; error?: unknown }) => statuses.set(id, s),
  };
}

describe('$.workflows', () => {
  it("records a Workflow instance's start and its completion or failure as events of the object, once each", async () => {
    const ns = 'https://workflows.analytics.example.com';
    const workflows = workflowsStandIn();
    await runInDurableObject(env.STARTUP.getByName(ns), async (instance) => {
      const $ = instance.$;
      const ok = await $.workflows.start(workflows.binding, { params: { plan: 'pro' }, name: 'onboarding' });
      const bad = await $.workflows.start(workflows.binding, { name: 'billing' });
      expect(await $.workflows.settle(ok)).toBeNull(); // still running: nothing recorded
      workflows.set(ok.id, { status: 'complete', output: { welcomed: true } });
      workflows.set(bad.id, { status: 'errored', error: { name: 'Error', message: 'card declined' } });
      expect(await $.workflows.settle(ok)).toEqual({ status: 'completed', output: { welcomed: true } });
      expect(await $.workflows.settle(workflows.instance(ok.id))).toMatchObject({ status: 'completed' }); // again: no second event
      expect(await $.workflows.settle(bad)).toEqual({ status: 'failed', error: 'card declined' });
      expect($.workflows.record(bad.id, { status: 'failed', error: 'late report' })).toBeNull();
      expect($.things.get(`workflows/${ok.id}`)?.data).toEqual({
        status: 'completed',
        output: { welcomed: true },
      });
      await $.flush();
    });
    const rows = await lakeEvents(ns);
    expect(rows.map((r) => [r.event, r.status, r.workflow_id])).toEqual([
      ['Workflow.started', 'completed', 'wf-1'],
      ['Workflow.started', 'completed', 'wf-2'],
      ['Workflow.completed', 'completed', 'wf-1'],
      ['Workflow.failed', 'failed', 'wf-2'],
    ]);
    expect(JSON.parse(String(rows[3]!.error))).toEqual({ message: 'card declined' });
  });
});
