import { z } from 'zod';
import { compileRecordTest, type RecordTest } from './compile-record-test.ts';
import type { RecordProblem } from './validate-records.ts';

/** Bounds of one request's check: how deep a record may nest and how much of the refusal is spelled out. */
export interface CheckRecordsConfig {
  /** Deepest nesting of objects and arrays inside one record (the record itself is level 1). */
  maxDepth: number;
  /** Problems answered in `details` (the contract's "first ≤ 20"). */
  maxDetails?: number;
  /** Record indices answered in `rejected`. */
  maxRejected?: number;
  /** Distinct (field, reason) groups kept for the rejects file. */
  maxReasons?: number;
  /** False checks every record the full way (structural checks and zod), the reference the compiled test is fuzzed against. */
  compiledTest?: boolean;
}

/** One reason shared by some rejected records, with the index ranges (inclusive) of those records. */
export interface ReasonGroup {
  field: string;
  message: string;
  count: number;
  ranges: [number, number][];
}

/** The outcome of checking a request's records: nothing, when all match. */
export interface RecordCheck {
  /** Records that do not match (N of the contract's "N of M"). */
  invalid: number;
  /** Ascending indices of the rejected records, at most `maxRejected`. */
  rejected: number[];
  /** All rejected indices as inclusive ranges (compact whatever the count). */
  ranges: [number, number][];
  /** The first problems, in record order, values summarized. */
  details: RecordProblem[];
  reasons: ReasonGroup[];
  /** Problems beyond `maxReasons` distinct groups (counted, not described). */
  otherReasons: number;
}

const MAX_FIELD = 120;
const MAX_MESSAGE = 200;
const ISSUES_PER_RECORD = 5;
const RANGES_PER_REASON = 1_000;

/** Cuts a string that came from the input down to a summary, so a huge value is never echoed whole. */
export function summarize(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

interface Compiled {
  strict: z.ZodObject;
  columns: Set<string>;
  required: string[];
  /** The problems of `{}`. */
  allMissing: readonly Problem[];
}

const compiled = new WeakMap<z.ZodObject, Compiled>();

// The platform reads a field that is not `required` from a record that leaves it out as null, so a
// nullable column may be absent as well as null.
function compile(schema: z.ZodObject): Compiled {
  let found = compiled.get(schema);
  if (!found) {
    const shape: Record<string, z.ZodType> = {};
    const required: string[] = [];
    for (const [name, field] of Object.entries(schema.shape)) {
      const type = field as z.ZodType;
      const lenient = type.safeParse(null).success ? type.optional() : type;
      if (!lenient.safeParse(undefined).success && required.length < 30) required.push(name);
      shape[name] = lenient;
    }
    const allMissing = [
      Object.freeze({
        field: summarize(required.join(','), MAX_FIELD),
        message: missingMessage(required.length),
      }),
    ];
    found = { strict: z.object(shape).strict(), columns: new Set(Object.keys(shape)), required, allMissing };
    compiled.set(schema, found);
  }
  return found;
}

/** The deepest nesting in `value`, walked without recursion; stops once past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

type Problem = { readonly field: string; readonly message: string };

/** Problems as shared objects, so 300,000 records with the same fault cost one object, not 300,000. */
class ProblemTable {
  private readonly byField = new Map<string, Map<string, Problem>>();
  private readonly byMask = new Map<number, Problem>();
  missing(required: readonly string[], mask: number): Problem {
    let problem = this.byMask.get(mask);
    if (!problem) {
      const names = required.filter((_, bit) => mask & (1 << bit));
      problem = this.get(summarize(names.join(','), MAX_FIELD), missingMessage(names.length));
      this.byMask.set(mask, problem);
    }
    return problem;
  }
  get(field: string, message: string): Problem {
    let messages = this.byField.get(field);
    if (!messages) {
      messages = new Map();
      this.byField.set(field, messages);
    }
    let problem = messages.get(message);
    if (!problem) {
      problem = Object.freeze({ field, message });
      messages.set(message, problem);
    }
    return problem;
  }
}

const NOT_OBJECT = new Map<string, Problem[]>();
function notAnObject(record: unknown): Problem[] {
  const kind = record === null ? 'null' : Array.isArray(record) ? 'an array' : typeof record;
  let found = NOT_OBJECT.get(kind);
  if (!found) {
    found = [Object.freeze({ field: '(record)', message: `expected an object, received ${kind}` })];
    NOT_OBJECT.set(kind, found);
  }
  return found;
}

/**
 * The problems of one record the compiled test could not vouch for: cheap structural checks first,
 * zod only for what they cannot tell.
 */
function problemsOf(
  schema: Compiled,
  table: ProblemTable,
  record: unknown,
  maxDepth: number,
): readonly Problem[] {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return notAnObject(record);
  const keys = Object.keys(record);
  if (keys.length === 0) return schema.allMissing;
  const problems: Problem[] = [];
  for (const key of keys) {
    if (!schema.columns.has(key)) {
      problems.push(table.get(summarize(key, MAX_FIELD), 'unknown field: the schema has no such column'));
      if (problems.length >= ISSUES_PER_RECORD) return problems;
    }
  }
  // Which required fields are missing, as a bit mask (a schema has fewer than 31), one problem per mask.
  let mask = 0;
  for (let bit = 0; bit < schema.required.length; bit++) {
    if ((record as Record<string, unknown>)[schema.required[bit]!] === undefined) mask |= 1 << bit;
  }
  if (mask !== 0) problems.push(table.missing(schema.required, mask));
  for (const key of keys) {
    const value = (record as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object' && depthOf(value, maxDepth) >= maxDepth) {
      problems.push(table.get(summarize(key, MAX_FIELD), `nested deeper than ${maxDepth} levels`));
    }
  }
  if (problems.length > 0) return problems.slice(0, ISSUES_PER_RECORD);
  const result = schema.strict.safeParse(record);
  if (result.success) return problems;
  return result.error.issues
    .slice(0, ISSUES_PER_RECORD)
    .map((issue) =>
      table.get(
        summarize(issue.path.length > 0 ? issue.path.join('.') : '(record)', MAX_FIELD),
        summarize(issue.message, MAX_MESSAGE),
      ),
    );
}

const missingMessage = (n: number) => `missing required field${n > 1 ? `s (${n})` : ''}`;

/** The incremental state of a check, so it can run in slices between which the event loop turns. */
export interface RecordChecker {
  /** Checks records `[from, to)`; answers the next index. */
  step(from: number, to: number): number;
  /** The outcome so far (null once every record matched). */
  result(): RecordCheck | null;
}

/**
 * Checks records against a table schema with bounded work and bounded output: a record that is not an
 * object, has unknown or missing fields, or nests deeper than `maxDepth` is refused without running
 * zod (so 300,000 `{}` cost milliseconds, not seconds and gigabytes); every refusal is counted exactly,
 * the first `maxDetails` problems are described, and reasons are grouped by field and message.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { createRecordChecker } from './check-records.ts';
 * const records = [{}, {}];
 * const checker = createRecordChecker(eventRow, records, { maxDepth: 64 });
 * checker.step(0, records.length);
 * checker.result()?.invalid; // 2
 * ```
 */
export function createRecordChecker(
  schema: z.ZodObject,
  records: readonly unknown[],
  config: CheckRecordsConfig,
): RecordChecker {
  const compiledSchema = compile(schema);
  // The compiled test vouches for a valid record without zod; anything else takes the full check.
  const valid: RecordTest = config.compiledTest === false ? () => false : compileRecordTest(schema);
  const maxDepth = config.maxDepth;
  const maxDetails = config.maxDetails ?? 20;
  const maxRejected = config.maxRejected ?? 10_000;
  const maxReasons = config.maxReasons ?? 50;
  let invalid = 0;
  const rejected: number[] = [];
  const ranges: [number, number][] = [];
  const details: RecordProblem[] = [];
  const reasons = new Map<Problem, ReasonGroup>();
  const table = new ProblemTable();
  let otherReasons = 0;

  const addRange = (list: [number, number][], index: number) => {
    const last = list[list.length - 1];
    if (last && last[1] === index - 1) last[1] = index;
    else list.push([index, index]);
  };

  function reject(index: number, problems: readonly Problem[]): void {
    invalid += 1;
    if (rejected.length < maxRejected) rejected.push(index);
    addRange(ranges, index);
    for (const problem of problems) {
      if (details.length < maxDetails) details.push({ index, ...problem });
      let group = reasons.get(problem);
      if (!group) {
        if (reasons.size >= maxReasons) {
          otherReasons += 1;
          continue;
        }
        group = { ...problem, count: 0, ranges: [] };
        reasons.set(problem, group);
      }
      group.count += 1;
      if (group.ranges.length < RANGES_PER_REASON || group.ranges[group.ranges.length - 1]![1] === index - 1)
        addRange(group.ranges, index);
    }
  }

  return {
    step(from, to) {
      for (let index = from; index < to; index++) {
        const record = records[index];
        if (valid(record, maxDepth)) continue;
        const problems = problemsOf(compiledSchema, table, record, maxDepth);
        if (problems.length > 0) reject(index, problems);
      }
      return to;
    },
    result() {
      if (invalid === 0) return null;
      return { invalid, rejected, ranges, details, reasons: [...reasons.values()], otherReasons };
    },
  };
}

/**
 * Checks every record, handing the event loop back every few milliseconds, so one large hostile
 * request cannot starve the others.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { checkRecords } from './check-records.ts';
 * (await checkRecords(eventRow, [{}], { maxDepth: 64 }))?.details[0]?.field; // 'schema_version,id,…'
 * ```
 */
export async function checkRecords(
  schema: z.ZodObject,
  records: readonly unknown[],
  config: CheckRecordsConfig,
  sliceMs = 4,
): Promise<RecordCheck | null> {
  const checker = createRecordChecker(schema, records, config);
  let index = 0;
  while (index < records.length) {
    const started = performance.now();
    while (index < records.length && performance.now() - started < sliceMs) {
      index = checker.step(index, Math.min(records.length, index + 64));
    }
    if (index < records.length) await new Promise((resolve) => setImmediate(resolve));
  }
  return checker.result();
}
