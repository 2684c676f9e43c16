import { z } from 'zod';
import { lakeColumns, toInt64 } from '../../schemas/index.ts';

/**
 * Answers true only for a record the stream schema accepts as it stands (an object with known
 * columns, each required one present, every value of its column's type, nesting under `maxDepth`);
 * false means "not sure", and the full check decides and explains.
 */
export type RecordTest = (record: unknown, maxDepth: number) => boolean;

/** A test of one present, non-null value. */
type ValueTest = (value: unknown, maxDepth: number) => boolean;

interface ColumnTest {
  /** Null is accepted (a nullable column, or JSON, which has null). */
  nullOk: boolean;
  /** Absent is accepted (read as null, as the platform reads a field that is not required). */
  absentOk: boolean;
  test: ValueTest;
}

const isPlain = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * A JSON value (as `z.json()` accepts it) whose objects and arrays nest less than `maxDepth` deep. An
 * own `__proto__` key is checked too (zod skips it): stricter, so such a record takes the full check.
 */
function isJson(value: unknown, depth: number, maxDepth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth >= maxDepth) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isJson(value[i], depth + 1, maxDepth)) return false;
        return true;
      }
      if (!isPlain(value) || Object.getOwnPropertySymbols(value).length > 0) return false;
      for (const key in value) {
        if (!isJson((value as Record<string, unknown>)[key], depth + 1, maxDepth)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

type Check = { _zod: { def: Record<string, unknown> } };
const checksOf = (type: z.ZodType): Check[] =>
  ((type._zod.def as { checks?: Check[] }).checks ?? []) as Check[];

function stringTest(type: z.ZodString): ValueTest | null {
  const patterns: RegExp[] = [];
  for (const check of checksOf(type)) {
    const def = check._zod.def;
    const pattern = def.pattern;
    if (def.check !== 'string_format' || def.format !== 'regex' || !(pattern instanceof RegExp)) return null;
    if (pattern.global || pattern.sticky) return null;
    patterns.push(pattern);
  }
  const [only] = patterns;
  if (patterns.length === 0) return (value) => typeof value === 'string';
  if (patterns.length === 1) return (value) => typeof value === 'string' && only!.test(value);
  return (value) => typeof value === 'string' && patterns.every((pattern) => pattern.test(value));
}

function numberTest(type: z.ZodNumber): ValueTest | null {
  let integer = false;
  let min = Number.NEGATIVE_INFINITY;
  let max = Number.POSITIVE_INFINITY;
  for (const check of checksOf(type)) {
    const def = check._zod.def;
    if (def.check === 'number_format' && def.format === 'safeint') integer = true;
    else if (def.check === 'greater_than' && def.inclusive === true && typeof def.value === 'number')
      min = Math.max(min, def.value);
    else if (def.check === 'less_than' && def.inclusive === true && typeof def.value === 'number')
      max = Math.min(max, def.value);
    else return null;
  }
  return (value) =>
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isSafeInteger(value)) &&
    value >= min &&
    value <= max;
}

/** The fast test of a column's inner type, or null when it is a type this compiler does not know. */
function valueTest(inner: z.ZodType): ValueTest | null {
  const lakeType = lakeColumns.get(inner)?.lakeType;
  if (lakeType === 'json' && inner instanceof z.ZodLazy)
    return (value, maxDepth) => isJson(value, 1, maxDepth);
  // col.int64(): a union of number, bigint and decimal string whose transform is toInt64.
  if (lakeType === 'int64' && inner instanceof z.ZodPipe) return (value) => toInt64(value) !== null;
  if (inner instanceof z.ZodString) return stringTest(inner);
  if (inner instanceof z.ZodNumber) return numberTest(inner);
  if (inner instanceof z.ZodBoolean && checksOf(inner).length === 0)
    return (value) => typeof value === 'boolean';
  if (inner instanceof z.ZodEnum && checksOf(inner).length === 0) {
    const values = new Set<unknown>(inner.options);
    return (value) => typeof value === 'string' && values.has(value);
  }
  return null;
}

function columnTest(field: z.ZodType): ColumnTest {
  const nullOk = field.safeParse(null).success;
  const lenient = nullOk ? field.optional() : field;
  const absentOk = lenient.safeParse(undefined).success;
  let inner = field;
  while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional)
    inner = inner.unwrap() as z.ZodType;
  // A type the compiler does not know keeps zod's answer, for scalars (an object goes the full way).
  const test =
    valueTest(inner) ??
    ((value: unknown) => (value === null || typeof value !== 'object') && lenient.safeParse(value).success);
  return { nullOk, absentOk, test };
}

const compiled = new WeakMap<z.ZodObject, RecordTest>();

/**
 * Compiles, once per table schema, a test that answers for a valid record without running zod: per
 * column, its type, nullability and string shape (the schema's own regexes), and JSON columns walked
 * for non-finite numbers and depth. It never accepts what zod refuses (a test runs both over fuzzed
 * records); what it cannot vouch for it leaves to the full check, so refusals read exactly as before.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { compileRecordTest } from './compile-record-test.ts';
 * const test = compileRecordTest(eventRow);
 * test({}, 64); // false: the full check explains which fields are missing
 * ```
 */
export function compileRecordTest(schema: z.ZodObject): RecordTest {
  const found = compiled.get(schema);
  if (found) return found;
  const columns = new Map<string, ColumnTest>();
  let required = 0;
  for (const [name, field] of Object.entries(schema.shape)) {
    const column = columnTest(field as z.ZodType);
    if (!column.absentOk) required += 1;
    columns.set(name, column);
  }
  const test: RecordTest = (record, maxDepth) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record) || !isPlain(record))
      return false;
    let keys = 0;
    let present = 0;
    for (const key in record) {
      keys += 1;
      const column = columns.get(key);
      if (column === undefined) return false;
      const value = (record as Record<string, unknown>)[key];
      if (value === null) {
        if (!column.nullOk) return false;
      } else if (value === undefined) {
        if (!column.absentOk) return false;
      } else if (!column.test(value, maxDepth)) return false;
      if (!column.absentOk) present += 1;
    }
    return keys > 0 && present === required;
  };
  compiled.set(schema, test);
  return test;
}
