import { env } from 'cloudflare:workers';
import { tableFromIPC } from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
import { describe, expect, it } from 'vitest';
import { createR2ParquetSink } from '../../ingest/index.ts';
import { type EventRow, EVENTS_SCHEMA_VERSION } from '../../schemas/index.ts';

// The same sink under the project's workers pool, against the R2 binding from wrangler.toml: what a
// Durable Object using it would run. Read back in workerd with parquet-wasm (DuckDB is Node-only; the
// DuckDB read-back is test/node/ingest/r2-parquet-sink.test.ts).

function row(seq: number): EventRow {
  const ns = 'https://pool.startups.studio';
  return {
    schema_version: EVENTS_SCHEMA_VERSION,
    id: `${ns}/events/inc-pool/${seq}`,
    ns,
    incarnation: 'inc-pool',
    seq,
    ts: 1_764_000_000_000_000 + seq * 1_001,
    event: 'Startup.created',
    verb: 'created',
    action: 'create',
    type: `${ns}/Startup`,
    target: `${ns}/acme-${seq}`,
    actor: null,
    durability: 'do',
    status: 'completed',
    branch: null,
    input_version: null,
    output_version: `${ns}/acme-${seq}@v1`,
    data: { seq, tags: ['ü', '𝄞'] },
    error: null,
    request_id: null,
    session_id: null,
    workflow_id: null,
    correlation_id: null,
    started_at: null,
    completed_at: null,
    duration_ms: null,
    prev_hash: null,
    hash: null,
  } as EventRow;
}

describe('createR2ParquetSink in the workers pool', () => {
  it('writes zstd Parquet to the R2 binding that parquet-wasm reads back with the same rows', async () => {
    const sink = createR2ParquetSink(env.LAKE, { prefix: 'pool-sink/events', rollRows: 4, parquetWasm });
    const rows = Array.from({ length: 10 }, (_, i) => row(i + 1));
    await sink.send(rows);

    const listed = await env.LAKE.list({ prefix: 'pool-sink/events/' });
    expect(listed.objects).toHaveLength(3);
    const read: Record<string, unknown>[] = [];
    for (const object of listed.objects) {
      expect(object.key).toMatch(
        /^pool-sink\/events\/year=\d{4}\/month=\d\d\/day=\d\d\/[0-9a-f-]{36}\.parquet$/,
      );
      const bytes = new Uint8Array(await (await env.LAKE.get(object.key))!.arrayBuffer());
      const table = tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
      for (const got of table.toArray()) read.push(got.toJSON());
    }
    read.sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(read.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(read.map((r) => JSON.parse(r.data as string))).toEqual(rows.map((r) => r.data));
    expect(read.map((r) => r.seq)).toEqual(rows.map((r) => BigInt(r.seq)));
  });
});
