import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type Analytics, AnalyticsError, type Completed, type JsonObject } from '../../ingest/index.ts';
import type { Startup } from '../../worker/startup.ts';

type StartupAnalytics = Startup['$'];

// Compile-time only: tsc checks this file; the calls never run.
function typeChecks($: StartupAnalytics): void {
  expectTypeOf($.try('Startup.raise', { amount: 5 }, { target: 'acme' })).resolves.toEqualTypeOf<
    Completed<JsonObject | null>
  >();
  expectTypeOf<Parameters<typeof $.do<'Startup.raise'>>[1]>().toEqualTypeOf<{ amount: number }>();
  expectTypeOf<Parameters<typeof $.send<'Startup.created'>>[1]>().toEqualTypeOf<JsonObject | null>();
  // @ts-expect-error an unknown verb
  void $.try('Startup.fly', {}, { target: 'acme' });
  // @ts-expect-error an unknown noun
  void $.do('Planet.create', {}, { target: 'mars' });
  // @ts-expect-error a wrong input type
  void $.do('Startup.raise', { amount: 'five' }, { target: 'acme' });
  // @ts-expect-error an event name is past tense: Startup.created, not Startup.create
  $.send('Startup.create', {}, { target: 'acme' });
  // @ts-expect-error an unknown event
  $.send('Startup.exploded', {}, { target: 'acme' });
  // @ts-expect-error the target is required
  void $.try('Startup.create', {}, {});
  const raise = $.action('Startup.publish', (input: { live: boolean }, { current }) => ({
    ...current,
    ...input,
  }));
  expectTypeOf(raise).parameter(0).toEqualTypeOf<{ live: boolean }>();
  // @ts-expect-error a typed method checks its input
  void raise({ live: 'yes' }, { target: 'acme' });
  expectTypeOf<Analytics<'A', { make: 'made' }, Record<never, never>>['send']>()
    .parameter(0)
    .toEqualTypeOf<'A.made'>();
}

describe('the $ rejects what the types reject, at run time too (untyped callers, RPC)', () => {
  it('names the unknown action, event, or missing target', async () => {
    expect(typeChecks).toBeTypeOf('function');
    const stub = env.STARTUP.getByName('https://types.example.com');
    const codes = await runInDurableObject(stub, async (instance) => {
      const $ = instance.$ as unknown as Analytics<string, Record<string, string>, Record<string, unknown>>;
      const caught: string[] = [];
      const attempt = async (fn: () => unknown) => {
        try {
          await fn();
        } catch (error) {
          caught.push(`${(error as AnalyticsError).code}:${(error as AnalyticsError).field}`);
          expect(error).toBeInstanceOf(AnalyticsError);
        }
      };
      await attempt(() => $.try('Startup.fly', {}, { target: 'acme' }));
      await attempt(() => $.do('Planet.create', {}, { target: 'mars' }));
      await attempt(() => $.send('Startup.exploded', {}, { target: 'acme' }));
      await attempt(() => $.try('Startup.create', {}, {} as never));
      await attempt(() => $.try('Startup.create', { n: 1n } as never, { target: 'acme' }));
      return { caught, pending: $.pending() };
    });
    expect(codes).toEqual({
      caught: [
        'unknown_action:action',
        'unknown_action:action',
        'unknown_event:event',
        'invalid_input:options.target',
        'invalid_input:input',
      ],
      pending: 0,
    });
  });
});
