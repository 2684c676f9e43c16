import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bindNamespace, createBranch, createEmitter, record, type Sink } from '../../ingest/index.ts';
import events from '../../schemas/pipelines/events.json';
import { type EventRow, eventRow, type PipelinesSchema, validateStreamRecords } from '../../schemas/index.ts';

describe('emitter output against the generated stream schema (schemas/pipelines/events.json)', () => {
  it('every row the emitter sends, in its JSON form, matches the stream schema and the zod schema', async () => {
    const rows = await runInDurableObject(
      env.STARTUP.getByName('schemas-stream'),
      async (_instance, state) => {
        const sent: EventRow[] = [];
        const sink: Sink<EventRow> = {
          async send(batch) {
            sent.push(...batch);
          },
        };
        bindNamespace(state.storage, 'https://schemas.startups.studio');
        createBranch(state.storage, { name: 'experiment' });
        const base = 1_764_000_000_000_000;
        record(state.storage, {
          verb: 'create',
          type: 'Startup',
          target: 'acme',
          data: { name: 'Acme 😀 𝄞' },
        });
        record(state.storage, {
          verb: 'update',
          type: 'Startup',
          target: 'acme',
          data: { stage: 'seed', tags: ['b2b'], nested: { deep: [1, 2.5, null] } },
          actor: 'https://auth.example.com/users/nathan',
          durability: 'do',
          status: 'failed',
          error: { message: 'boom', attempts: 3 },
          requestId: 'req-1',
          sessionId: 'sess-1',
          workflowId: 'wf-1',
          correlationId: 'corr-1',
          startedAt: base,
          completedAt: base + 1_500,
          ts: base + 1_500,
        });
        record(state.storage, {
          verb: 'send',
          type: 'Email',
          target: 'emails/1',
          actor: 'agents/priya',
          durability: 'send',
        });
        record(state.storage, {
          verb: 'delete',
          type: 'Idea',
          target: 'ideas/1',
          data: null,
          branch: 'experiment',
          ts: -1,
        });
        const result = await createEmitter(state.storage, {
          ns: 'https://schemas.startups.studio',
          sink,
        }).flush();
        expect(result.sent).toBe(4);
        return sent;
      },
    );

    // What a Pipelines binding or HTTP ingest receives: the JSON text of the rows.
    const records = JSON.parse(JSON.stringify(rows)) as Record<string, unknown>[];
    expect(records).toHaveLength(4);
    expect(validateStreamRecords(events as PipelinesSchema, records)).toEqual([]);
    for (const record of records) expect(eventRow.strict().safeParse(record).error).toBeUndefined();
    expect(records[1]).toMatchObject({
      event: 'Startup.updated',
      durability: 'do',
      status: 'failed',
      input_version: 'https://schemas.startups.studio/acme@v1',
      output_version: 'https://schemas.startups.studio/acme@v2',
      duration_ms: 1.5,
    });

    // And a row that drifted from the schema is caught, naming the field.
    const drifted = { ...records[0], seq: 1.5, surprise: true };
    expect(validateStreamRecords(events as PipelinesSchema, [drifted]).map((p) => p.field)).toEqual([
      'seq',
      'surprise',
    ]);
  });
});
