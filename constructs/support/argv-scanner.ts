/**
 * The one command-line scanner behind every `vpctune` command (`validate`, `synth`, `platform`, `estimate`, `up`,
 * `serve`, `demo`, `keys`, `models`, `jobs`): `--name value`, `--name=value`, switches, repeated flags and
 * positionals. It reports problems as data; each command words them in its own usage messages.
 */

/** What a command accepts. */
export interface ArgvSpec {
  /** Flags that take a value, as written (`--config`). */
  readonly values: readonly string[];
  /** Flags without a value, as written (`--json`, `-h`). @default none */
  readonly switches?: readonly string[];
  /** Whether the command takes positionals; if not, each is an `unknown` problem. @default true */
  readonly positionals?: boolean;
}

export type ArgvProblem =
  /** An argument that starts with `--` and is not one of the spec's flags (or any positional, where none are taken). */
  | { readonly kind: 'unknown'; readonly flag: string; readonly arg: string }
  /** A value flag at the end, or followed by another `--` argument instead of its value. */
  | { readonly kind: 'missing-value'; readonly flag: string };

export interface ScannedArgv {
  /** Every value given per value flag, in order (a flag may be repeated). */
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly switches: ReadonlySet<string>;
  /** Arguments that are not flags or their values, in order (anything not starting with `--` that the spec does not
   *  name, so `-h` is a flag only where a spec lists it). */
  readonly positionals: readonly string[];
  /** In argument order; scanning goes on past a problem. */
  readonly problems: readonly ArgvProblem[];
}

/**
 * Scans `argv`. `--name=value` gives a value flag its value inline (which may start with `--`); otherwise the next
 * argument is its value unless it starts with `--`. A switch ignores an inline `=…`.
 */
export function scanArgv(argv: readonly string[], spec: ArgvSpec): ScannedArgv {
  const switchNames = spec.switches ?? [];
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  const problems: ArgvProblem[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!arg.startsWith('--') && !switchNames.includes(flag) && !spec.values.includes(flag)) {
      if (spec.positionals === false) problems.push({ kind: 'unknown', flag: arg, arg });
      else positionals.push(arg);
      continue;
    }
    if (switchNames.includes(flag)) {
      switches.add(flag);
    } else if (spec.values.includes(flag)) {
      const next = argv[i + 1];
      const value = eq !== -1 ? arg.slice(eq + 1) : next !== undefined && !next.startsWith('--') ? next : undefined;
      if (eq === -1 && value !== undefined) i += 1;
      if (value === undefined) problems.push({ kind: 'missing-value', flag });
      else values.set(flag, [...(values.get(flag) ?? []), value]);
    } else {
      problems.push({ kind: 'unknown', flag, arg });
    }
  }
  return { values, switches, positionals, problems };
}

/** The last value given for a flag, or undefined. */
export function lastValue(scanned: ScannedArgv, flag: string): string | undefined {
  const all = scanned.values.get(flag);
  return all === undefined ? undefined : all[all.length - 1];
}
