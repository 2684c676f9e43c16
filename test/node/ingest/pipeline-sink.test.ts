import { describe, expect, it } from 'vitest';
import { createPipelineSink, isSink, SinkError } from '../../../ingest/index.ts';

// Miniflare's Pipelines binding discards records, and no real one exists locally: a fake binding
// that records calls or fails stands in for it.
function fakeBinding(behaviour: 'ok' | 'reject' | 'throw' | 'reject-string' = 'ok') {
  const calls: unknown[][] = [];
  return {
    calls,
    send(records: unknown[]): Promise<void> {
      calls.push(records);
      if (behaviour === 'throw') throw new Error('binding exploded synchronously');
      if (behaviour === 'reject') return Promise.reject(new Error('Pipeline ingest failed: 503'));
      if (behaviour === 'reject-string') return Promise.reject('quota exceeded');
      return Promise.resolve();
    },
  };
}

describe('createPipelineSink', () => {
  it('hands the rows to the binding as they are, once per send, and resolves when it does', async () => {
    const binding = fakeBinding();
    const sink = createPipelineSink(binding);
    expect(isSink(sink)).toBe(true);
    const rows = [
      { id: 'https://x.dev/events/1', seq: 1 },
      { id: 'https://x.dev/events/2', seq: 2 },
    ];
    await sink.send(rows);
    expect(binding.calls).toEqual([rows]);
    expect(binding.calls[0]).toBe(rows);
  });

  it('does not call the binding for an empty send', async () => {
    const binding = fakeBinding();
    await createPipelineSink(binding).send([]);
    expect(binding.calls).toEqual([]);
  });

  it.each([
    ['rejects', 'reject', 'Pipeline ingest failed: 503'],
    ['throws synchronously', 'throw', 'binding exploded synchronously'],
    ['rejects with a non-Error', 'reject-string', 'quota exceeded'],
  ] as const)(
    'turns a binding that %s into a SinkError naming the batch, keeping the cause',
    async (_, behaviour, reason) => {
      const sink = createPipelineSink(fakeBinding(behaviour));
      const error = await sink.send([{ id: 'a' }, { id: 'b' }, { id: 'c' }]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SinkError);
      expect((error as SinkError).message).toBe(
        `Pipelines send of 3 record(s) failed: ${reason}; nothing of this batch is acknowledged, so it is sent again on the next flush`,
      );
      expect((error as SinkError).cause).toBeDefined();
    },
  );

  it('refuses something that is not a binding, saying what to pass', () => {
    expect(() => createPipelineSink('EVENTS' as never)).toThrow(
      /no send\(records\) method; pass the Pipelines binding/,
    );
    expect(() => createPipelineSink(undefined as never)).toThrow(TypeError);
  });
});
