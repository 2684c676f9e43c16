/** One query-string value that cannot be read as its param's type. */
export interface QueryParamProblem {
  param: string;
  message: string;
}

type JsonSchema = Record<string, unknown>;

/** Every JSON Schema type a schema (through anyOf / oneOf / allOf) admits; empty means any. */
function typesOf(schema: JsonSchema | undefined): Set<string> {
  const types = new Set<string>();
  if (!schema) return types;
  const type = schema.type;
  if (typeof type === 'string') types.add(type);
  if (Array.isArray(type)) for (const t of type) types.add(String(t));
  if ('const' in schema) types.add(typeof schema.const === 'string' ? 'string' : 'number');
  if (Array.isArray(schema.enum))
    for (const v of schema.enum) types.add(v === null ? 'null' : typeof v === 'string' ? 'string' : 'number');
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) {
      for (const member of list as JsonSchema[]) {
        const inner = typesOf(member);
        // A member that admits anything (`{}`, a Date) does not make a string a number.
        for (const t of inner) types.add(t);
      }
    }
  }
  return types;
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** One query-string value as its param's type, by the JSON Schema the catalog gives for it. */
function coerceOne(text: string, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if ((types.has('integer') || types.has('number')) && NUMBER.test(text)) return Number(text);
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.has('null') && !types.has('string') && text === 'null') return null;
  if ((types.has('object') || types.has('array')) && !types.has('string') && /^[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Reads a view's params from a query string, each value coerced by its param's JSON Schema type
 * (`limit=10` → 10 for an integer, `true`/`false` for a boolean, epoch digits for a time that also
 * takes numbers); an array param takes the key repeated (`verb=a&verb=b`) or a JSON array. A value
 * that fits no type is passed on as text, so the view's own validation names it. `reserved` keys
 * (such as `format`) are not params. A non-array key given twice is a problem.
 *
 * @example
 * ```ts
 * import { coerceQueryParams } from './coerce-query-params.ts';
 * const schema = { type: 'object', properties: { limit: { type: 'integer' } } };
 * coerceQueryParams(new URLSearchParams('limit=5'), schema).params; // { limit: 5 }
 * ```
 */
export function coerceQueryParams(
  search: URLSearchParams,
  schema: JsonSchema,
  reserved: readonly string[] = [],
): { params: Record<string, unknown>; problems: QueryParamProblem[] } {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const params: Record<string, unknown> = {};
  const problems: QueryParamProblem[] = [];
  for (const key of new Set(search.keys())) {
    if (reserved.includes(key)) continue;
    const values = search.getAll(key);
    const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (typesOf(property).has('array')) {
      const items = property?.items as JsonSchema | undefined;
      const first = values[0] ?? '';
      params[key] =
        values.length === 1 && first.startsWith('[')
          ? coerceOne(first, { type: 'array' })
          : values.map((v) => coerceOne(v, items));
    } else if (values.length > 1) {
      problems.push({ param: key, message: `given ${values.length} times; give it once` });
    } else params[key] = coerceOne(values[0]!, property);
  }
  return { params, problems };
}
