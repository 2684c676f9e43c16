import { describe, expect, it } from 'vitest';
import { dataFileKey, partitionPath } from '../../../lake/index.ts';

describe('partitionPath', () => {
  const at = new Date('2026-03-07T04:05:06Z');
  it('expands the Pipelines default in UTC', () => {
    expect(partitionPath(at)).toBe('year=2026/month=03/day=07');
  });
  it('expands hours, minutes, seconds and a literal %', () => {
    expect(partitionPath(at, 'dt=%Y-%m-%d/hr=%H/%M%S/100%%')).toBe('dt=2026-03-07/hr=04/0506/100%');
  });
  it('rejects a directive it does not know instead of writing it literally', () => {
    expect(() => partitionPath(at, 'week=%U')).toThrow(/unsupported directive %U/);
  });
  it('names data files <prefix>/<partition>/<uuid>.parquet', () => {
    expect(dataFileKey('/events/', at, undefined, 'f00d')).toBe(
      'events/year=2026/month=03/day=07/f00d.parquet',
    );
    expect(dataFileKey('events', at)).toMatch(
      /^events\/year=2026\/month=03\/day=07\/[0-9a-f-]{36}\.parquet$/,
    );
  });
});
