import { ConfigError, formatIssue } from '../../constructs/config';
import { lastValue, scanArgv } from '../../constructs/support/argv-scanner';

/** Minimal flag parsing shared by the CLI commands: `--name value`, `--name=value`, `--flag`. */

export class UsageError extends Error {}

export interface FlagSpec {
  readonly [name: string]: 'string' | 'boolean';
}

export type ParsedFlags<S extends FlagSpec> = { -readonly [K in keyof S]?: S[K] extends 'string' ? string : boolean } & {
  readonly positionals: readonly string[];
};

/** Parses with the shared scanner (constructs/support/argv-scanner.ts); the first problem is a UsageError. */
export function parseFlags<S extends FlagSpec>(command: string, args: readonly string[], spec: S): ParsedFlags<S> {
  const names = Object.keys(spec);
  const scanned = scanArgv(args, { values: names.filter((n) => spec[n] === 'string').map((n) => `--${n}`), switches: names.filter((n) => spec[n] === 'boolean').map((n) => `--${n}`) });
  const problem = scanned.problems[0];
  if (problem?.kind === 'unknown') throw new UsageError(`${command}: unknown option ${problem.flag}; allowed: ${names.map((k) => `--${k}`).join(', ')}`);
  if (problem?.kind === 'missing-value') throw new UsageError(`${command}: option ${problem.flag} needs a value`);
  const out: Record<string, string | boolean | readonly string[]> = { positionals: scanned.positionals };
  for (const name of names) {
    if (spec[name] === 'boolean' && scanned.switches.has(`--${name}`)) out[name] = true;
    const value = lastValue(scanned, `--${name}`);
    if (value !== undefined) out[name] = value;
  }
  return out as ParsedFlags<S>;
}

/**
 * Runs a command body and turns the errors a user can fix into exit code 2: a ConfigError lists every issue with its
 * field path, a UsageError prints its message. Anything else is a bug and propagates.
 */
export async function runCliCommand(body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.source}: ${err.issues.length} error${err.issues.length === 1 ? '' : 's'}\n`);
      for (const issue of err.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
