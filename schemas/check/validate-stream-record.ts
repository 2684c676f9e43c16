import type { PipelinesField, PipelinesSchema } from '../derive/to-pipelines-schema.ts';

/** Why a record does not match a stream schema: the field's path and what is wrong with it. */
export interface StreamRecordProblem {
  /** The record's index in the batch. */
  index: number;
  /** The field, e.g. `seq` or `tags[2].name`. */
  field: string;
  message: string;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DECIMAL = /^-?(0|[1-9][0-9]*)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const show = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.values(value as object).every((v) => isJsonValue(v, depth + 1));
  return false;
}

function integerIn(value: unknown, min: bigint, max: bigint, safeOnly: boolean): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= min && value <= max;
  if (typeof value === 'string' && DECIMAL.test(value) && !safeOnly) {
    const big = BigInt(value);
    return big >= min && big <= max;
  }
  if (typeof value === 'string' && DECIMAL.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) && n >= Number(min) && n <= Number(max);
  }
  return false;
}

// What each field type takes in a JSON record, as arrow-json decodes it: integers as JSON numbers or
// decimal strings (the only exact form of an int64 beyond 2^53 in JSON), timestamps as numbers in the
// field's unit or RFC 3339 text.
interface Problem {
  field: string;
  message: string;
}
const bad = (field: string, message: string): Problem[] => [{ field, message }];

function problemOf(
  field: Omit<PipelinesField, 'name' | 'required'>,
  value: unknown,
  path: string,
): Problem[] {
  switch (field.type) {
    case 'string':
      return typeof value === 'string' ? [] : bad(path, `must be a string, got ${show(value)}`);
    case 'bool':
      return typeof value === 'boolean' ? [] : bad(path, `must be a boolean, got ${show(value)}`);
    case 'int32':
      return integerIn(value, BigInt(INT32_MIN), BigInt(INT32_MAX), true)
        ? []
        : bad(path, `must be an int32, got ${show(value)}`);
    case 'int64':
      if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value))
        return bad(path, `${value} is beyond 2^53 and not exact in JSON; send it as a decimal string`);
      return integerIn(value, INT64_MIN, INT64_MAX, false)
        ? []
        : bad(path, `must be an int64 (a JSON integer or a decimal string), got ${show(value)}`);
    case 'float32':
    case 'float64':
      return typeof value === 'number' && Number.isFinite(value)
        ? []
        : bad(path, `must be a finite number, got ${show(value)}`);
    case 'timestamp':
      if (typeof value === 'number') {
        return Number.isSafeInteger(value)
          ? []
          : bad(path, `must be an integer count of ${field.unit ?? 'millisecond'}s, got ${show(value)}`);
      }
      return typeof value === 'string' && RFC3339.test(value)
        ? []
        : bad(path, `must be an integer timestamp or RFC 3339 text, got ${show(value)}`);
    case 'json':
      return value !== undefined && isJsonValue(value)
        ? []
        : bad(path, `must be a JSON value, got ${show(value)}`);
    case 'binary':
      return typeof value === 'string' && BASE64.test(value)
        ? []
        : bad(path, `must be base64 text, got ${show(value)}`);
    case 'list': {
      if (!Array.isArray(value)) return bad(path, `must be an array, got ${show(value)}`);
      const items = field.items;
      if (!items) return [];
      return value.flatMap((item, i) => (item === null ? [] : problemOf(items, item, `${path}[${i}]`)));
    }
    case 'struct':
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return bad(path, `must be an object, got ${show(value)}`);
      return fieldProblems(field.fields ?? [], value as Record<string, unknown>, `${path}.`);
  }
}

function fieldProblems(fields: PipelinesField[], record: Record<string, unknown>, prefix: string): Problem[] {
  const problems: Problem[] = [];
  const known = new Set(fields.map((f) => f.name));
  for (const field of fields) {
    const value = record[field.name];
    const path = `${prefix}${field.name}`;
    if (value === undefined || value === null) {
      if (field.required)
        problems.push(...bad(path, `is required, got ${value === null ? 'null' : 'nothing'}`));
      continue;
    }
    problems.push(...problemOf(field, value, path));
  }
  for (const name of Object.keys(record)) {
    if (!known.has(name)) problems.push(...bad(`${prefix}${name}`, 'is not in the stream schema'));
  }
  return problems;
}

/**
 * Checks JSON records against a Pipelines stream schema the way the platform reads them, and names each
 * bad field. The platform accepts and then silently drops a record that does not match; this answers
 * before it is sent. Records are checked in their wire form (after `JSON.parse(JSON.stringify(...))`).
 *
 * @example
 * ```ts
 * import events from '../pipelines/events.json' with { type: 'json' };
 * import { validateStreamRecords } from './validate-stream-record.ts';
 * validateStreamRecords(events, [{ seq: 1.5 }]); // [{ index: 0, field: 'schema_version', ... }, ...]
 * ```
 */
export function validateStreamRecords(
  schema: PipelinesSchema,
  records: readonly unknown[],
): StreamRecordProblem[] {
  const problems: StreamRecordProblem[] = [];
  records.forEach((record, index) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      problems.push({ index, field: '(record)', message: `must be a JSON object, got ${show(record)}` });
      return;
    }
    for (const problem of fieldProblems(schema.fields, record as Record<string, unknown>, ''))
      problems.push({ index, ...problem });
  });
  return problems;
}
