import { z } from 'zod';

/** One problem with a view's params: which param, and what is wrong with it. */
export interface ViewParamIssue {
  /** The param's path (`since`, `where.0.value`); empty for a problem with the params as a whole. */
  param: string;
  message: string;
}

/**
 * Params a view refused, before any SQL was rendered. Its message names every bad param.
 *
 * @example
 * ```ts
 * import { ViewParamsError } from './view-params.ts';
 * const error = new ViewParamsError('events_per_bucket@1', [{ param: 'window', message: 'expected minute, hour or day' }]);
 * error.message; // 'view events_per_bucket@1: param "window": expected minute, hour or day'
 * ```
 */
export class ViewParamsError extends Error {
  readonly code = 'invalid_params';
  constructor(
    readonly view: string,
    readonly issues: readonly ViewParamIssue[],
  ) {
    super(
      `view ${view}: ${issues.map((i) => (i.param ? `param "${i.param}": ${i.message}` : i.message)).join('; ')}`,
    );
    this.name = 'ViewParamsError';
  }
}

/**
 * Whether a value is a {@link ViewParamsError}.
 *
 * @example
 * ```ts
 * import { isViewParamsError, ViewParamsError } from './view-params.ts';
 * isViewParamsError(new ViewParamsError('v@1', [])); // true
 * ```
 */
export function isViewParamsError(value: unknown): value is ViewParamsError {
  return value instanceof ViewParamsError;
}

/**
 * The issues of a failed zod parse, one per param, an unknown key named as such.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { toParamIssues } from './view-params.ts';
 * const parsed = z.strictObject({ n: z.number() }).safeParse({ n: 'x', m: 1 });
 * parsed.success ? [] : toParamIssues(parsed.error).map((i) => i.param); // ['n', 'm']
 * ```
 */
export function toParamIssues(error: z.ZodError): ViewParamIssue[] {
  const issues: ViewParamIssue[] = [];
  for (const issue of error.issues) {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({ param: at ? `${at}.${key}` : key, message: 'unknown param' });
      }
    } else issues.push({ param: at, message: issue.message });
  }
  return issues;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A point in time as a param: an ISO 8601 instant (`2026-11-25T09:00:00Z`, an offset allowed), a date
 * (`2026-11-25`, midnight UTC), epoch milliseconds or a Date; parsed to a Date, which the `sql`
 * template renders as a TIMESTAMP literal.
 *
 * @example
 * ```ts
 * import { timestampParam } from './view-params.ts';
 * timestampParam().parse('2026-11-25').toISOString(); // '2026-11-25T00:00:00.000Z'
 * ```
 */
export function timestampParam() {
  return z
    .union([z.iso.datetime({ offset: true }), z.iso.date(), z.number().int().nonnegative(), z.date()], {
      error: 'expected an ISO 8601 time (2026-11-25T09:00:00Z), a date (2026-11-25) or epoch milliseconds',
    })
    .transform((value, ctx): Date => {
      const date =
        value instanceof Date
          ? value
          : new Date(typeof value === 'string' && DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
      if (Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: 'custom', message: 'not a valid time' });
        return z.NEVER;
      }
      return date;
    });
}

/**
 * A row limit as a param: an integer from 1 to `max`, `fallback` when absent.
 *
 * @example
 * ```ts
 * import { limitParam } from './view-params.ts';
 * limitParam(100, 1000).parse(undefined); // 100
 * ```
 */
export function limitParam(fallback: number, max: number) {
  return z.number().int().min(1).max(max).default(fallback);
}
