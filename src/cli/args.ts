// Command-line flags for ravine's CLIs: node:util's parseArgs, strict, with `-h/--help` printing the
// usage and a mistake printing one line (not the usage, not a stack trace) and exiting 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(usage: string, options: Options, args = process.argv.slice(2)): Flags {
  let values: Flags;
  try {
    values = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as Flags;
  } catch (e) {
    process.stderr.write(`${(e as Error).message.split('\n')[0]} (--help lists the options)\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}
