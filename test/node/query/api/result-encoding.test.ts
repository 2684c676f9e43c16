import { tableFromIPC } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EncodableResult } from '../../../../query/api/result-formats.ts';
import { encodeResult, resultEtag, resultResponse } from '../../../../query/api/result-response.ts';

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks);

/** Epoch µs of an ISO text the independent way: the zone normalized, Date.parse, the µs appended. */
function expectedMicros(text: string): bigint {
  const m = /^(.{10})[T ](.{8})(?:\.(\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text)!;
  const zone = m[4] ?? 'Z';
  const offset =
    zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${offset}`);
  return BigInt(ms) * 1000n + BigInt((m[3] ?? '').padEnd(6, '0').slice(0, 6));
}

const isoText = fc
  .record({
    at: fc.date({
      min: new Date('0100-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    }),
    digits: fc.integer({ min: 0, max: 9 }),
    fraction: fc.integer({ min: 0, max: 999_999_999 }),
    separator: fc.constantFrom('T', ' '),
    zone: fc.constantFrom('', 'Z', '+00', '+00:00', '+05:30', '-0800', '+01'),
  })
  .map(({ at, digits, fraction, separator, zone }) => {
    const [date, time] = at.toISOString().slice(0, 19).split('T');
    const frac = digits === 0 ? '' : `.${String(fraction).padStart(9, '0').slice(0, digits)}`;
    return `${date}${separator}${time}${frac}${zone}`;
  });

const tsResult = (values: (string | null)[]): EncodableResult => ({
  columns: [{ name: 'ts', type: 'TIMESTAMP WITH TIME ZONE', kind: 'timestamp' }],
  rows: values.map((ts) => ({ ts })),
});

describe('result encoding', () => {
  it('reads every ISO form of a timestamp to the µs in Arrow, as the general parse does', () => {
    fc.assert(
      fc.property(fc.array(isoText, { minLength: 1, maxLength: 40 }), (texts) => {
        const table = tableFromIPC(concat(encodeResult(tsResult(texts), 'arrow')));
        const got = Array.from({ length: table.numRows }, (_, i) => table.getChild('ts')!.data[0]!.values[i]);
        expect(got).toEqual(texts.map(expectedMicros));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps nulls, month ends, leap days and out-of-range text apart', () => {
    const texts = ['2024-02-29T23:59:59.999999Z', '2023-01-31 00:00:00', '2026-12-31T12:00:00.5+00', null];
    const table = tableFromIPC(concat(encodeResult(tsResult([...texts, '2023-02-30T00:00:00Z']), 'arrow')));
    const column = table.getChild('ts')!;
    expect([0, 1, 2].map((i) => column.data[0]!.values[i])).toEqual(
      texts.slice(0, 3).map((t) => expectedMicros(t!)),
    );
    expect(column.isValid(3)).toBe(false);
    // Date.parse rolls Feb 30 over to Mar 2; whatever it answers, the fast path must answer the same.
    const rolled = Date.parse('2023-02-30T00:00:00Z');
    if (Number.isNaN(rolled)) expect(column.isValid(4)).toBe(false);
    else expect(column.data[0]!.values[4]).toBe(BigInt(rolled) * 1000n);
  });

  it('tags the bytes answered: equal bodies share an ETag, any changed byte or format does not', async () => {
    const result: EncodableResult = {
      columns: [{ name: 'a', type: 'VARCHAR', kind: 'string' }],
      rows: Array.from({ length: 1200 }, (_, i) => ({ a: `row ${i}` })),
    };
    const answer = await resultResponse(result, { format: 'csv', ifNoneMatch: null, headers: {}, ttl: 0 });
    const body = Buffer.from(await answer.arrayBuffer());
    const etag = answer.headers.get('etag')!;
    expect(etag).toBe(await resultEtag([body], 'csv'));
    expect(body.toString()).toBe(`a\r\n${result.rows.map((r) => `${r.a}\r\n`).join('')}`);
    const changed = { ...result, rows: [...result.rows.slice(0, -1), { a: 'row 1199!' }] };
    expect(await resultEtag(encodeResult(changed, 'csv'), 'csv')).not.toBe(etag);
    expect(await resultEtag(encodeResult(result, 'ndjson'), 'ndjson')).not.toBe(etag);
    const again = await resultResponse(result, {
      format: 'csv',
      ifNoneMatch: `W/${etag}`,
      headers: {},
      ttl: 0,
    });
    expect([again.status, await again.text()]).toEqual([304, '']);
  });

  it('writes CSV and JSON as the plain per-field and per-row rules do, whatever the values hold', () => {
    const value = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', 'é') }),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { maxLength: 1200 }), (pairs) => {
        const rows = pairs.map(([a, b]) => ({ a, b }));
        const result: EncodableResult = {
          columns: [
            { name: 'a', type: 'VARCHAR', kind: 'string' },
            { name: 'b', type: 'VARCHAR', kind: 'string' },
          ],
          rows,
        };
        const field = (v: unknown) => {
          const text = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
          return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
        };
        const csv = rows.map((r) => `${field(r.a)},${field(r.b)}\r\n`).join('');
        expect(concat(encodeResult(result, 'csv')).toString()).toBe(`a,b\r\n${csv}`);
        const json = JSON.parse(concat(encodeResult(result, 'json')).toString());
        expect(json.result.rows).toEqual(rows);
      }),
      { numRuns: 100 },
    );
  });
});
