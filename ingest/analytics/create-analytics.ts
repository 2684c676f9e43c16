import type { ResendOptions } from '../emitter/create-emitter.ts';
import { countDeadLetters, type ListDeadLettersOptions, listDeadLetters } from '../emitter/dead-letters.ts';
import { pendingEvents } from '../store/outbox.ts';
import { record } from '../store/record.ts';
import { createAnalyticsActions, parseAction } from './analytics-actions.ts';
import { createLifecycle } from './analytics-lifecycle.ts';
import { type AnalyticsCtxLike, createRuntime } from './analytics-runtime.ts';
import type { ActionFn, Analytics, AnalyticsConfig, HandlerInputs } from './analytics-types.ts';
import { createReads } from './things-reads.ts';
import { declareVocabulary, registerVerbs, type VerbsConfig } from './vocabulary.ts';
import { createWorkflows } from './workflows.ts';

/**
 * Wires analytics into a Durable Object in one call: the durability dial (`send` / `try` / `do`),
 * actions as typed methods, reads of versioned things and branches, the alarm (due `do` retries, the
 * outbox flush with backoff, re-arming), and the lifecycle (fork, compact, moveTo). Nouns and verbs
 * are declared once with their forms, so action names (`Startup.raise`), event names
 * (`Startup.raised`) and the lake's `type` URLs agree, and a typo does not compile.
 *
 * @example
 * ```ts
 * import { DurableObject } from 'cloudflare:workers';
 * import { analytics, type LifecycleMessage } from '@dotdo/analytics/ingest';
 *
 * export class Startup extends DurableObject<Env> {
 *   $ = analytics(this.ctx, {
 *     nouns: ['Startup'],
 *     verbs: { create: 'created', raise: 'raised' },
 *     handlers: { 'Startup.raise': (input: { amount: number }, { current }) => ({ ...current, raised: input.amount }) },
 *     sink: this.env.EVENTS,
 *     binding: this.env.STARTUP,
 *   });
 *   raise(target: string, amount: number) {
 *     return this.$.do('Startup.raise', { amount }, { target });
 *   }
 *   receive(message: LifecycleMessage) {
 *     return this.$.receive(message);
 *   }
 *   override async alarm() {
 *     await this.$.alarm();
 *   }
 * }
 * ```
 */
export function analytics<
  const N extends string,
  const V extends VerbsConfig,
  H extends HandlerInputs<N, V> = Record<never, never>,
>(ctx: AnalyticsCtxLike, config: AnalyticsConfig<N, V, H>): Analytics<N, V, H> {
  const verbs = declareVocabulary(config.nouns, config.verbs);
  const nouns = new Set<string>(config.nouns);
  const handlers: Record<string, ActionFn | undefined> = { ...(config.handlers as Record<string, ActionFn>) };
  for (const name of Object.keys(handlers)) parseAction(name, nouns, verbs);
  const runtime = createRuntime(ctx, config);
  let registered = false;
  const ready = () => {
    if (registered) return;
    registerVerbs(ctx.storage, verbs);
    registered = true;
  };
  const actions = createAnalyticsActions(runtime, {
    nouns,
    verbs,
    handlers,
    retry: config.retry,
    onSendError: config.onSendError,
    ready,
  });
  const lifecycle = createLifecycle({
    runtime,
    binding: config.binding,
    ready,
    reset: () => {
      registered = false;
    },
  });
  const written = () => runtime.afterWrite();
  const writeReady = () => {
    runtime.writable();
    runtime.ns();
    ready();
  };

  const $: Record<string, unknown> = {
    get ns() {
      return runtime.ns();
    },
    bind(ns: string) {
      runtime.bind(ns);
      return $;
    },
    send: actions.send,
    try: actions.try,
    do: actions.do,
    action: actions.action,
    undo(action: number, options?: { actor?: string | null }) {
      writeReady();
      const recorded = actions.runner.undo(action, options);
      written();
      return recorded;
    },
    record(input: Parameters<typeof record>[1]) {
      writeReady();
      const recorded = record(ctx.storage, input);
      written();
      return recorded;
    },
    ...createReads(ctx.storage),
    workflows: createWorkflows(ctx.storage, writeReady, written),
    flush: () => runtime.emitter().flush(),
    pending: () => pendingEvents(ctx.storage),
    deadLetters: {
      count: () => countDeadLetters(ctx.storage),
      list: (options?: ListDeadLettersOptions) => listDeadLetters(ctx.storage, options),
      resend: (options?: ResendOptions) => runtime.emitter().resend(options),
    },
    async alarm() {
      const ran = await actions.runner.runDue();
      const flushed = await runtime.flushFromAlarm();
      const due = actions.runner.nextDueAt();
      if (due !== null) await runtime.schedule(due);
      return { ran, ...flushed };
    },
    ...lifecycle,
  };
  return $ as unknown as Analytics<N, V, H>;
}
