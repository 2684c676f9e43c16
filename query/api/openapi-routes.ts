import { createRoute, z } from '@hono/zod-openapi';
import type { ViewCatalogEntry } from '../../views/index.ts';

const errorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

const column = z.object({ name: z.string(), type: z.string(), kind: z.string() }).openapi('Column');
const resultBody = z
  .object({
    success: z.literal(true),
    errors: z.array(z.unknown()),
    view: z.string().optional(),
    result: z.object({
      schema: z.array(column),
      rows: z.array(z.record(z.string(), z.unknown())),
      metrics: z.record(z.string(), z.number()),
    }),
  })
  .openapi('Result');

const result = {
  content: {
    'application/json': { schema: resultBody },
    'application/x-ndjson': { schema: z.string() },
    'text/csv': { schema: z.string() },
    'application/vnd.apache.arrow.stream': { schema: z.string() },
  },
  description: 'The rows, in the format `?format=` or Accept asks for',
};
const failures = Object.fromEntries(
  [
    [400, 'Bad params or body'],
    [401, 'No token, or not a known one'],
    [403, 'The token may not do this'],
    [404, 'No such view'],
    [406, 'No format the client accepts'],
    [502, 'The engine failed'],
    [503, 'The engine is unavailable; retry'],
  ].map(([status, description]) => [
    status,
    { content: { 'application/json': { schema: errorBody } }, description },
  ]),
);
const security = [{ bearer: [] }];
const viewName = z.object({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]*(@[1-9][0-9]*)?$/, 'a view name, snake_case, optionally @version')
    .openapi({ param: { name: 'name', in: 'path' }, example: 'events_per_hour' }),
});
const format = z.object({
  format: z
    .enum(['json', 'ndjson', 'csv', 'arrow'])
    .optional()
    .openapi({ param: { name: 'format', in: 'query' } }),
});

/** The static routes, as OpenAPI route configs validated and documented from the same zod schemas. */
export const ROUTES = {
  catalog: createRoute({
    method: 'get',
    path: '/views',
    security,
    responses: {
      200: {
        content: {
          'application/json': { schema: z.object({ views: z.array(z.record(z.string(), z.unknown())) }) },
        },
        description: 'The views this token may run: names, versions, descriptions, params as JSON Schema',
      },
      401: failures[401]!,
    },
  }),
  viewGet: createRoute({
    method: 'get',
    path: '/views/{name}',
    security,
    request: { params: viewName, query: format },
    responses: { 200: result, 304: { description: 'Not modified (ETag)' }, ...failures },
  }),
  viewPost: createRoute({
    method: 'post',
    path: '/views/{name}',
    security,
    // The body is read by the handler itself (bounded, its own errors); the document says its shape.
    request: { params: viewName, query: format },
    responses: { 200: result, 304: { description: 'Not modified (ETag)' }, ...failures },
  }),
  sql: createRoute({
    method: 'post',
    path: '/sql',
    security,
    request: { query: format },
    responses: { 200: result, ...failures },
  }),
};

/**
 * The per-view paths of the OpenAPI document, from the catalog (each view's zod params as JSON
 * Schema): `GET /views/<name>` with one query parameter per param, `POST` with them as the body.
 *
 * @example
 * ```ts
 * import { viewPaths } from './openapi-routes.ts';
 * Object.keys(viewPaths(registry.catalog(), '/api')); // ['/api/views/events_per_hour', …]
 * ```
 */
export function viewPaths(catalog: readonly ViewCatalogEntry[], base: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const entry of catalog.filter((e) => e.current)) {
    const properties = (entry.params.properties ?? {}) as Record<string, Record<string, unknown>>;
    const required = new Set((entry.params.required ?? []) as string[]);
    const ok = { $ref: '#/components/responses/ViewResult' };
    paths[`${base}/views/${entry.name}`] = {
      get: {
        summary: entry.description,
        security,
        parameters: Object.entries(properties).map(([name, schema]) => ({
          name,
          in: 'query',
          required: required.has(name),
          schema,
          ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
        })),
        responses: { 200: ok },
      },
      post: {
        summary: entry.description,
        security,
        requestBody: { content: { 'application/json': { schema: entry.params } } },
        responses: { 200: ok },
      },
    };
  }
  return paths;
}

/** The body of `POST /sql`. */
export const SQL_BODY = z.object({
  sql: z.string().min(1).max(100_000).describe('one read-only R2 SQL query'),
});

export { result as RESULT_RESPONSE };
