import { describe, expect, it } from 'vitest';
import { parseRef, RefError } from '../../../ingest/refs/index.ts';

const endOfDay = (date: string): number => (Date.parse(`${date}T00:00:00Z`) + 86_400_000) * 1000 - 1;

describe('parseRef', () => {
  it.each([
    ['acme', 'acme', false, { kind: 'current' }],
    ['acme@main', 'acme', false, { kind: 'branch', name: 'main' }],
    ['acme@experiment', 'acme', false, { kind: 'branch', name: 'experiment' }],
    ['acme@v1234', 'acme', false, { kind: 'version', version: 1234 }],
    ['acme@~1', 'acme', false, { kind: 'relative', back: 1 }],
    ['acme@~0', 'acme', false, { kind: 'relative', back: 0 }],
    ['acme@2024-01-08', 'acme', false, { kind: 'at', micros: endOfDay('2024-01-08') }],
    ['acme?v=1234', 'acme', false, { kind: 'version', version: 1234 }],
    [
      'acme?v=2024-01-08T12:00:00Z',
      'acme',
      false,
      { kind: 'at', micros: Date.parse('2024-01-08T12:00:00Z') * 1000 },
    ],
    [
      'acme?v=2024-01-08T12:00:00.123456Z',
      'acme',
      false,
      { kind: 'at', micros: Date.parse('2024-01-08T12:00:00Z') * 1000 + 123_456 },
    ],
    [
      'acme?v=2024-01-08T14:00:00+02:00',
      'acme',
      false,
      { kind: 'at', micros: Date.parse('2024-01-08T12:00:00Z') * 1000 },
    ],
    ['acme?v=2024-01-08', 'acme', false, { kind: 'at', micros: endOfDay('2024-01-08') }],
    ['orders/7@v3', 'orders/7', false, { kind: 'version', version: 3 }],
    ['https://startups.studio/acme', 'https://startups.studio/acme', true, { kind: 'current' }],
    [
      'https://startups.studio/acme@main',
      'https://startups.studio/acme',
      true,
      { kind: 'branch', name: 'main' },
    ],
    [
      'https://startups.studio/acme@experiment',
      'https://startups.studio/acme',
      true,
      { kind: 'branch', name: 'experiment' },
    ],
    [
      'https://startups.studio/acme@v1234',
      'https://startups.studio/acme',
      true,
      { kind: 'version', version: 1234 },
    ],
    ['https://startups.studio/acme@~1', 'https://startups.studio/acme', true, { kind: 'relative', back: 1 }],
    [
      'https://startups.studio/acme@2024-01-08',
      'https://startups.studio/acme',
      true,
      { kind: 'at', micros: endOfDay('2024-01-08') },
    ],
    [
      'https://startups.studio/acme?v=1234',
      'https://startups.studio/acme',
      true,
      { kind: 'version', version: 1234 },
    ],
    [
      'https://startups.studio/acme?v=2024-01-08T12:00:00Z',
      'https://startups.studio/acme',
      true,
      { kind: 'at', micros: Date.parse('2024-01-08T12:00:00Z') * 1000 },
    ],
  ])('%s', (ref, thing, absolute, selector) => {
    expect(parseRef(ref)).toEqual({ thing, absolute, selector });
  });

  it.each([
    ['', 'non-empty'],
    ['acme@', 'nothing after "@"'],
    ['acme@v', '"v" needs a version number'],
    ['acme@v0', 'versions start at v1'],
    ['acme@v99999999999999999999', 'too large'],
    ['acme@~', '~ takes a count of versions back'],
    ['acme@~x', '~ takes a count of versions back'],
    ['acme@2024-13-01', 'not a calendar date'],
    ['acme@2024-02-30', 'not a calendar date'],
    ['acme@2024-01-08T25:00:00Z', 'not a valid time of day'],
    ['acme@20240108', 'not a date'],
    ['acme@Feature', 'is not a ref'],
    ['acme@feature/x', 'is not a ref'],
    ['acme@main@v1', 'only one "@"'],
    ['acme@v1?v=2', 'not both'],
    ['acme?v=', 'needs a version number or a date'],
    ['acme?x=1', 'unknown parameter "x"'],
    ['acme?v=1&v=2', 'exactly one parameter'],
    ['acme?v=yesterday', 'is not a version number'],
    ['@v1', "missing the thing's id"],
    ['https://startups.studio', "needs the thing's path"],
    ['https://startups.studio/@v1', "missing the thing's id"],
    ['ac me', 'whitespace'],
    ['acme#frag', 'not a valid thing path'],
  ])('rejects %j: %s', (ref, message) => {
    let error: unknown;
    try {
      parseRef(ref);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RefError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toContain(`ref "${ref}"`);
  });
});
