import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { describe, expect, it } from 'vitest';
import {
  createFanOutSink,
  createPipelineSink,
  createR2ParquetSink,
  type Sink,
  SinkError,
} from '../../../ingest/index.ts';
import { buildEventRow } from '../../../ingest/store/event-row.ts';
import { deriveGlobalRows, type EventRow, type PipelinesSchema } from '../../../schemas/index.ts';

function memoryBucket() {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    async put(key: string, bytes: Uint8Array) {
      files.set(key, bytes);
      return {};
    },
    async delete() {},
  };
}

const ns = 'https://fan.startups.studio';
const events: EventRow[] = Array.from({ length: 12 }, (_, i) =>
  buildEventRow({
    ns,
    incarnation: 'inc-f',
    seq: i + 1,
    prevHash: null,
    ts: 1_764_000_000_000_000 + i,
    noun: 'Startup',
    action: 'update',
    past: 'updated',
    target: `s/${i % 4}`,
    actor: null,
    durability: 'try',
    status: i % 3 === 2 ? 'failed' : 'completed',
    branch: null,
    input: null,
    output: i % 3 === 2 ? null : i + 1,
    actionId: i + 1,
    name: null,
    deleted: false,
    data: i % 3 === 2 ? null : JSON.stringify({ i }),
    error: null,
    requestId: null,
    sessionId: null,
    workflowId: null,
    correlationId: null,
    startedAt: null,
    completedAt: null,
  }),
);

async function rowsUnder(files: Map<string, Uint8Array>, prefix: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const [key, bytes] of files) {
    if (!key.startsWith(`${prefix}/`)) continue;
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    rows.push(
      ...((await parquetReadObjects({ file: buffer, compressors, utf8: true })) as Record<string, unknown>[]),
    );
  }
  return rows;
}

describe('createFanOutSink over the direct-to-R2 Parquet sink', () => {
  it('writes events, and the things and actions rows the Pipeline SQL would derive, to their tables', async () => {
    const bucket = memoryBucket();
    const sink = createFanOutSink({
      events: createR2ParquetSink(bucket, { table: 'events' }),
      things: createR2ParquetSink(bucket, { table: 'things' }),
      actions: createR2ParquetSink(bucket, { table: 'actions' }),
    });
    await sink.send(events);
    const derived = events.map(deriveGlobalRows);
    const ids = (rows: { id: unknown }[]) => rows.map((r) => String(r.id)).sort();
    expect(ids((await rowsUnder(bucket.files, 'events')) as { id: unknown }[])).toEqual(ids(events));
    expect(ids((await rowsUnder(bucket.files, 'things')) as { id: unknown }[])).toEqual(
      ids(derived.flatMap((d) => d.things)),
    );
    expect(await rowsUnder(bucket.files, 'things')).toHaveLength(8);
    expect(ids((await rowsUnder(bucket.files, 'actions')) as { id: unknown }[])).toEqual(
      ids(derived.flatMap((d) => d.actions)),
    );
  });

  it('names the event a refused derived row came from', async () => {
    const ok: Sink = { async send() {} };
    const things: Sink = {
      async send() {
        throw new SinkError('no', { code: 'schema_mismatch', rejected: [{ index: 2, reason: 'bad thing' }] });
      },
    };
    const error = await createFanOutSink({ events: ok, things, actions: ok })
      .send(events)
      .catch((e: SinkError) => e);
    // things come from events 0, 1, 3, 4, ...: the third thing row is event 3's.
    expect((error as SinkError).rejected).toEqual([{ index: 3, reason: 'bad thing' }]);
  });
});

describe('createPipelineSink with the committed stream schema', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../../schemas/pipelines/events.json', import.meta.url), 'utf8'),
  ) as PipelinesSchema;

  it('refuses records the stream would drop silently, per record, and sends nothing', async () => {
    const sent: unknown[][] = [];
    const sink = createPipelineSink<Record<string, unknown>>(
      {
        async send(rows) {
          sent.push(rows);
        },
      },
      { schema },
    );
    const bad = { ...events[1], seq: 'two', id: undefined };
    const error = await sink.send([events[0]!, bad, events[2]!]).catch((e: SinkError) => e);
    expect(error).toMatchObject({ code: 'schema_mismatch', permanent: true });
    expect((error as SinkError).rejected?.map((r) => r.index)).toEqual([1]);
    expect((error as SinkError).rejected?.[0]?.reason).toMatch(/id: .*seq: /s);
    expect(sent).toEqual([]);
    await sink.send([events[0]!]);
    expect(sent).toHaveLength(1);
  });

  it('a binding that throws about the records is permanent; any other throw is transient', async () => {
    const throwing = (message: string) =>
      createPipelineSink({
        async send() {
          throw new Error(message);
        },
      });
    const tooLarge = await throwing('request exceeds the 1 MB limit')
      .send([{}])
      .catch((e: SinkError) => e);
    expect(tooLarge).toMatchObject({ permanent: true, code: 'send_failed' });
    const flaky = await throwing('network connection lost')
      .send([{}])
      .catch((e: SinkError) => e);
    expect(flaky).toMatchObject({ permanent: false });
  });
});
