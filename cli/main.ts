/**
 * `dotdo-analytics`: the command line. Each command lives in `commands/<name>.ts` and exports `run`.
 *
 * @module
 */
import { UsageError } from './parse-flags.ts';

/** A CLI command: a one-line summary, help text, and `run(argv)` resolving to an exit code. */
export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  dev: () => import('./commands/dev.ts'),
  schema: () => import('./commands/schema.ts'),
};

function usage(): string {
  return [
    'usage: dotdo-analytics <command> [flags]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((name) => `  ${name}`),
    '',
    'dotdo-analytics <command> --help for its flags',
  ].join('\n');
}

/**
 * Runs the CLI and resolves to its exit code.
 *
 * @example
 * ```ts
 * import { main } from './main.ts';
 * process.exitCode = await main(['dev', '--demo']);
 * ```
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.summary}\n\n${command.help}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${command.help}`);
      return 2;
    }
    throw error;
  }
}
