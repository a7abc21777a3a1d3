import { ConfigError, formatIssue } from '../../constructs/config';

/** Minimal flag parsing shared by the CLI commands: `--name value`, `--name=value`, `--flag`. */

export class UsageError extends Error {}

export interface FlagSpec {
  readonly [name: string]: 'string' | 'boolean';
}

export type ParsedFlags<S extends FlagSpec> = { -readonly [K in keyof S]?: S[K] extends 'string' ? string : boolean } & {
  readonly positionals: readonly string[];
};

export function parseFlags<S extends FlagSpec>(command: string, args: readonly string[], spec: S): ParsedFlags<S> {
  const out: Record<string, string | boolean | readonly string[]> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) {
      throw new UsageError(`${command}: unknown option --${name}; allowed: ${Object.keys(spec).map((k) => `--${k}`).join(', ')}`);
    }
    if (kind === 'boolean') {
      out[name] = true;
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`${command}: option --${name} needs a value`);
    out[name] = value;
  }
  out.positionals = positionals;
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
