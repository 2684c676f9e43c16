import readme from '../../README.md?raw';
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
});
