import type { Json } from '../store/record.ts';

/** One call of an action. */
export interface ActionCall {
  /** The imperative, e.g. `charge`; selects the registered handler. */
  verb: string;
  type: string;
  target: string;
  /** The call's input: handed to the handler, and kept with a `do` action so a retry has it. */
  input?: Json;
  actor?: string | null;
  branch?: string | null;
  requestId?: string | null;
  sessionId?: string | null;
  workflowId?: string | null;
  correlationId?: string | null;
}

/** What a handler sees. */
export interface HandlerContext {
  call: ActionCall;
  /** The thing's data at its current version (null if it does not exist yet). */
  current: Json | null;
  /** 1 on the first attempt. */
  attempt: number;
}

/**
 * Does the work of an action and answers the thing's new data. Handlers are registered by verb, so a
 * durable (`do`) action can be run again after a restart; without one, the new data is the input.
 */
export type ActionHandler = (context: HandlerContext) => Json | Promise<Json>;

/** How an action ended (or, for `do`, where it stands). */
export interface ActionOutcome {
  action: number;
  status: 'completed' | 'failed' | 'retrying';
  /** The event's seq, once the action completed or finally failed. */
  seq?: number;
  version?: number | null;
  data?: Json;
  error?: string;
  /** For `retrying`: when the alarm runs it again (ms since the epoch). */
  nextAttemptAt?: number;
}
