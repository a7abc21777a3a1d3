/** `--flag value` / `--switch` parsing for the controller's commands, with errors that list what is allowed. */
import { lastValue, scanArgv } from '../../../../constructs/support/argv-scanner';

export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | true>>;
  readonly positionals: readonly string[];
}

export class UsageError extends Error {}

/** Parses with the shared scanner (constructs/support/argv-scanner.ts); the first problem is a UsageError. */
export function parseArgs(args: readonly string[], valueFlags: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const scanned = scanArgv(args, { values: valueFlags.map((f) => `--${f}`), switches: switches.map((f) => `--${f}`) });
  const problem = scanned.problems[0];
  if (problem?.kind === 'unknown') throw new UsageError(`unknown option ${problem.flag}; allowed: ${[...valueFlags, ...switches].map((f) => `--${f}`).join(', ')}`);
  if (problem?.kind === 'missing-value') throw new UsageError(`${problem.flag} needs a value`);
  const flags: Record<string, string | true> = {};
  for (const name of switches) if (scanned.switches.has(`--${name}`)) flags[name] = true;
  for (const name of valueFlags) {
    const value = lastValue(scanned, `--${name}`);
    if (value !== undefined) flags[name] = value;
  }
  return { flags, positionals: scanned.positionals };
}

export function intFlag(flags: ParsedArgs['flags'], name: string, fallback: number, min = 0, max = 65535): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} ${String(v)}: expected an integer from ${min} to ${max}`);
  return n;
}

export function stringFlag(flags: ParsedArgs['flags'], name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** Runs a command body; usage errors and failures become a message and exit code 2 / 1. */
export async function runCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`vpctune ${name}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`vpctune ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
