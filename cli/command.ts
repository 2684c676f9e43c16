/**
 * A CLI command: a one-line summary, help text, and `run(argv)` resolving to an exit code.
 *
 * @example
 * ```ts
 * import type { Command } from './command.ts';
 * export const command: Command = { summary: 'Say hello', help: 'flags: none', run: async () => 0 };
 * ```
 */
export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}
