import type { ActionCall, ActionHandler, HandlerContext } from '../actions/action-types.ts';
import { type Actions, createActions } from '../actions/create-actions.ts';
import type { BackoffOptions } from '../emitter/backoff.ts';
import type { Json } from '../store/record.ts';
import { AnalyticsError } from './analytics-error.ts';
import type { Runtime } from './analytics-runtime.ts';
import type { ActionFn, ActionMethod, CallOptions, Completed, DoOutcome } from './analytics-types.ts';
import type { DeclaredVerb, JsonObject } from './vocabulary.ts';

/** The durability dial of the `$`, untyped (the typed surface is in analytics-types.ts). */
export interface AnalyticsActions {
  runner: Actions;
  send(event: string, data: unknown, options: CallOptions): void;
  try(action: string, input: unknown, options: CallOptions): Promise<Completed<unknown>>;
  do(action: string, input: unknown, options: CallOptions): Promise<DoOutcome<unknown>>;
  action(action: string, fn: ActionFn): ActionMethod<unknown, unknown>;
}

/** What the actions need besides the runtime. */
export interface ActionsSetup {
  nouns: ReadonlySet<string>;
  verbs: ReadonlyMap<string, DeclaredVerb>;
  handlers: Record<string, ActionFn | undefined>;
  retry?: BackoffOptions & { retries?: number };
  onSendError?: (error: unknown, action: string) => void;
  /** Registers the vocabulary on first write. */
  ready(): void;
}

const OPTION_TEXT = ['actor', 'branch', 'requestId', 'sessionId', 'workflowId', 'correlationId'] as const;

function checkOptions(options: CallOptions): void {
  if (!options || typeof options !== 'object')
    throw new AnalyticsError(
      'invalid_input',
      'options must be an object with a target, e.g. { target: "acme" }',
      'options',
    );
  if (typeof options.target !== 'string' || options.target.length === 0)
    throw new AnalyticsError(
      'invalid_input',
      'options.target must be the thing\'s path, e.g. "acme"',
      'options.target',
    );
  for (const key of OPTION_TEXT) {
    const value = options[key];
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw new AnalyticsError('invalid_input', `options.${key} must be a string or null`, `options.${key}`);
  }
}

/** The input must survive JSON (a `do` stores it for retries): the handler gets the copy a retry would. */
function checkJson(input: unknown): Json | undefined {
  if (input === undefined) return undefined;
  try {
    return JSON.parse(JSON.stringify(input)) as Json;
  } catch (error) {
    throw new AnalyticsError(
      'invalid_input',
      `input must be JSON-serializable: ${(error as Error).message}`,
      'input',
    );
  }
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `Startup.raise` → noun and verb, or `unknown_action` naming what is declared. */
export function parseAction(
  action: string,
  nouns: ReadonlySet<string>,
  verbs: ReadonlyMap<string, DeclaredVerb>,
): { noun: string; verb: string } {
  const dot = typeof action === 'string' ? action.indexOf('.') : -1;
  const noun = dot > 0 ? action.slice(0, dot) : '';
  const verb = dot > 0 ? action.slice(dot + 1) : '';
  if (!nouns.has(noun) || !verbs.has(verb))
    throw new AnalyticsError(
      'unknown_action',
      `unknown action "${String(action)}": use Noun.verb with a declared noun (${[...nouns].join(', ')}) and verb (${[...verbs.keys()].join(', ')})`,
      'action',
    );
  return { noun, verb };
}

/** `Startup.raised` → `Startup.raise`, or `unknown_event` naming the declared event forms. */
function actionOfEvent(event: string, verbs: ReadonlyMap<string, DeclaredVerb>): string {
  const dot = typeof event === 'string' ? event.indexOf('.') : -1;
  const past = dot > 0 ? event.slice(dot + 1) : '';
  for (const [verb, forms] of verbs) if (forms.event === past) return `${event.slice(0, dot)}.${verb}`;
  throw new AnalyticsError(
    'unknown_event',
    `unknown event "${String(event)}": use Noun.pastTense with a declared verb's event form (${[...verbs.values()].map((v) => v.event).join(', ')})`,
    'event',
  );
}

/** One runner handler per verb; it dispatches on the noun, so `Startup.raise` and `Idea.raise` differ. */
function createDispatch(runtime: Runtime, handlers: ActionsSetup['handlers']): ActionHandler {
  return async ({ call, current, attempt }: HandlerContext) => {
    const fn = handlers[`${call.type}.${call.verb}`];
    const currentData = isObject(current) ? current : null;
    if (!fn) return call.input ?? null;
    const next = await fn(call.input ?? null, {
      ns: runtime.ns(),
      current: currentData,
      target: call.target,
      actor: call.actor ?? null,
      branch: call.branch ?? null,
      attempt,
    });
    return next === undefined ? currentData : (next as Json);
  };
}

/** Builds send / try / do / action over the action runner, validating names against the vocabulary. */
export function createAnalyticsActions(runtime: Runtime, setup: ActionsSetup): AnalyticsActions {
  const { nouns, verbs, handlers } = setup;
  const dispatch = createDispatch(runtime, handlers);
  // The runner reads the current data only for verbs with a handler: register the dispatcher just there.
  const runnerHandlers: Record<string, ActionHandler> = {};
  const route = (action: string) => {
    runnerHandlers[action.slice(action.indexOf('.') + 1)] = dispatch;
  };
  for (const [action, fn] of Object.entries(handlers)) if (fn) route(action);
  const runner = createActions(runtime.storage, {
    handlers: runnerHandlers,
    retry: setup.retry,
    scheduleAlarm: (at) => runtime.schedule(at),
    waitUntil: (promise) => runtime.ctx.waitUntil(promise.finally(() => runtime.afterWrite())),
    onSendError: (error, call) => setup.onSendError?.(error, `${call.type}.${call.verb}`),
  });

  function toCall(action: string, input: unknown, options: CallOptions): ActionCall {
    const { noun, verb } = parseAction(action, nouns, verbs);
    checkOptions(options);
    runtime.writable();
    runtime.ns();
    setup.ready();
    const call: ActionCall = { verb, type: noun, target: options.target, input: checkJson(input) };
    for (const key of OPTION_TEXT) if (options[key] != null) call[key] = options[key];
    return call;
  }

  const api: AnalyticsActions = {
    runner,
    send(event, data, options) {
      runner.send(toCall(actionOfEvent(event, verbs), data, options));
    },
    async try(action, input, options) {
      const call = toCall(action, input, options);
      try {
        const { seq, version, data, action: id } = await runner.try(call);
        return { action: id, seq: seq!, version: version ?? null, data };
      } finally {
        runtime.afterWrite();
      }
    },
    async do(action, input, options) {
      const outcome = await runner.do(toCall(action, input, options));
      runtime.afterWrite();
      return outcome;
    },
    action(action, fn) {
      parseAction(action, nouns, verbs);
      if (typeof fn !== 'function')
        throw new AnalyticsError('invalid_config', `action "${action}" needs a handler function`, 'fn');
      if (handlers[action])
        throw new AnalyticsError('invalid_config', `action "${action}" already has a handler`, 'action');
      handlers[action] = fn;
      route(action);
      const method = ((input: unknown, options: CallOptions) =>
        api.try(action, input, options)) as ActionMethod<unknown, unknown>;
      method.try = (input, options) => api.try(action, input, options);
      method.do = (input, options) => api.do(action, input, options);
      method.send = (input, options) => runner.send(toCall(action, input, options));
      return method;
    },
  };
  return api;
}
