import readme from '../../README.md?raw';
import customer from '../../worker/customer.ts?raw';
import startup from '../../worker/startup.ts?raw';
import example from './readme-example.ts?raw';
import { describe, expect, it } from 'vitest';

const MARKER = '// --- README snippet ---\n';

describe('README', () => {
  it('shows the Durable Object wiring exactly as the type-checked readme-example.ts has it', () => {
    const section = readme.slice(readme.indexOf('## Using it in your Durable Object'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(snippet).toBeDefined();
    expect(example).toContain(MARKER);
    expect(snippet).toBe(example.slice(example.indexOf(MARKER) + MARKER.length));
  });

  it('has an Event ordering section naming each guarantee', () => {
    const section = readme.slice(readme.indexOf('## Event ordering'));
    for (const guarantee of [
      'total order by `seq`',
      'At-least-once delivery',
      'Deduplicate by `id`',
      'No order across namespaces',
    ])
      expect(section).toContain(guarantee);
  });

  it('keeps the example objects small: the wiring is one call', () => {
    const lines = (text: string) => text.trimEnd().split('\n').length;
    expect(lines(startup)).toBeLessThanOrEqual(70);
    expect(lines(customer)).toBeLessThanOrEqual(35);
    for (const text of [startup, customer])
      expect(text).not.toMatch(/storage\.sql|setAlarm|createEmitter|createActions/);
  });
});
