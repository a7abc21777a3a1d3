/** Minimal `--flag value` / `--switch` parsing with errors that list what is allowed. */
export interface ParsedArgs {
  readonly flags: Readonly<Record<string, string | true>>;
  readonly positionals: readonly string[];
}

export class UsageError extends Error {}

export function parseArgs(args: readonly string[], valueFlags: readonly string[], switches: readonly string[] = []): ParsedArgs {
  const flags: Record<string, string | true> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (switches.includes(name)) flags[name] = true;
    else if (valueFlags.includes(name)) {
      const value = inline ?? args[(i += 1)];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}; allowed: ${[...valueFlags, ...switches].map((f) => `--${f}`).join(', ')}`);
    }
  }
  return { flags, positionals };
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
