import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  type ChainEvent,
  eventHash,
  sha256Hex,
  sha256HexPortable,
  verifyChain,
} from '../../../lake/chain/index.ts';

function chain(
  ns: string,
  incarnation: string,
  count: number,
  { from = 1, prev = null as string | null, verb = 'updated', tsOffset = 0 } = {},
): ChainEvent[] {
  const rows: ChainEvent[] = [];
  for (let seq = from; seq < from + count; seq++) {
    const row: ChainEvent = {
      id: `${ns}/events/${incarnation}/${seq}`,
      ns,
      incarnation,
      seq,
      ts: 1_764_000_000_000_000 + tsOffset + seq,
      verb: seq === from ? verb : 'updated',
      prev_hash: prev,
      hash: null,
      data: { seq, nested: { b: 1, a: [1, 'ü'] } },
    };
    row.hash = eventHash(row);
    prev = row.hash;
    rows.push(row);
  }
  return rows;
}

const kinds = (rows: ChainEvent[], checkpoints = []) =>
  verifyChain(rows, checkpoints).problems.map((p) => [p.kind, p.seq]);

describe('canonical JSON and hashes', () => {
  it('orders keys, whatever order they were built in, and hashes natively and portably alike', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: null, y: 'é' }], c: true } })).toBe(
      '{"a":{"c":true,"d":[1,{"y":"é","z":null}]},"b":1}',
    );
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('ü𝄞')).toBe(sha256HexPortable('ü𝄞'));
    const row = { seq: 1, prev_hash: null, hash: null, data: { b: 1, a: 2 } };
    expect(eventHash(row)).toBe(
      eventHash({ data: { a: 2, b: 1 }, hash: 'ignored', seq: 1, prev_hash: null }),
    );
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/no NaN/);
  });
});

describe('verifyChain', () => {
  const ns = 'https://acme.example.com';

  it('accepts an intact chain, with re-delivered duplicates in any order', () => {
    const rows = chain(ns, 'i1', 50);
    const report = verifyChain([...rows, rows[3]!, rows[40]!].reverse());
    expect(report).toMatchObject({ ok: true, namespaces: 1, events: 50, duplicates: 2, problems: [] });
  });

  it('names a gap', () => {
    const rows = chain(ns, 'i1', 10).filter((r) => r.seq !== 4 && r.seq !== 5);
    expect(kinds(rows)).toEqual([['gap', 4]]);
    expect(verifyChain(rows).problems[0]!.message).toBe('missing seq 4..5');
  });

  it('names an edited row and a conflicting re-delivery', () => {
    const rows = chain(ns, 'i1', 5);
    const edited = rows.map((r) => (r.seq === 2 ? { ...r, data: { seq: 2, tampered: true } } : r));
    expect(kinds(edited)).toEqual([['edited', 2]]);
    const conflict = [...rows, { ...rows[2]!, verb: 'deleted' }];
    expect(kinds(conflict)).toEqual([['conflict', 3]]);
  });

  it('names a row whose hash was recomputed after an edit: the next link breaks', () => {
    const rows = chain(ns, 'i1', 5);
    const forged = { ...rows[1]!, data: { forged: true } };
    forged.hash = eventHash(forged);
    expect(kinds(rows.map((r) => (r.seq === 2 ? forged : r)))).toEqual([['broken-link', 3]]);
  });

  it('names a truncated tail and a mismatching checkpoint', () => {
    const rows = chain(ns, 'i1', 10);
    const checkpoints = [
      { ns, incarnation: 'i1', head_seq: 12, head_hash: 'x' },
      { ns, incarnation: 'i1', head_seq: 5, head_hash: 'not-the-hash' },
      { ns, incarnation: 'i1', head_seq: 10, head_hash: rows[9]!.hash! },
    ];
    expect(kinds(rows, checkpoints as never)).toEqual([
      ['checkpoint-mismatch', 5],
      ['truncated', 12],
    ]);
  });

  it('flags a namespace that restarted as a new incarnation without a link, but not a linked one', () => {
    const first = chain(ns, 'i1', 5);
    const unlinked = chain(ns, 'i2', 3, { tsOffset: 1000 });
    expect(kinds([...first, ...unlinked])).toEqual([['unlinked-incarnation', 1]]);

    const linked = chain(ns, 'i3', 3, { prev: first[4]!.hash, verb: 'moved', tsOffset: 2000 });
    const report = verifyChain([...first, ...linked]);
    expect(report.problems).toEqual([]);
    // Same seq numbers in two incarnations never collide: the ids differ.
    expect(report.events).toBe(8);
  });
});
