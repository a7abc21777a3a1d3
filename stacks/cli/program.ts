/**
 * The one argument parser behind every `vpctune` command (commander): how a command is declared (summary, flags with
 * defaults, one example), how values are checked, and how parse errors become `vpctune <command>: …` and exit 2.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CliIo } from './io';
import { runCommand } from './runner';
import { ExitCode } from './usage-error';

/** What a command's action needs: where to write, and where its exit code goes. */
export interface CommandContext {
  readonly io: CliIo;
  setExitCode(code: number): void;
}

/** A commander error with the command it happened in (for the command's path and its allowed flags). */
export class ParseFailure extends Error {
  constructor(
    readonly command: Command,
    readonly cause: CommanderError,
  ) {
    super(cause.message);
  }
}

/** A command with its one-line summary and an example for its `--help`. */
export function declareCommand(name: string, summary: string, example: string): Command {
  return new Command(name)
    .description(summary)
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', `\nExample:\n  $ ${example}\n`);
}

/** `vpctune keys list`: the command's words after `vpctune`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Repeatable value flag: every value in order. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** An integer in [min, max]; anything else is a usage error naming the flag and the range. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

/** A value flag read from an environment variable when not given (shown in --help). */
export function envOption(flags: string, description: string, envName: string): Option {
  return new Option(flags, description).env(envName);
}

/** Applies the shared settings to a command tree: output to `io`, errors thrown (not exit), no suggestions. */
export function configureTree(command: Command, io: CliIo): void {
  command
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s), outputError: () => undefined })
    .configureHelp({ subcommandTerm: (c) => c.name(), showGlobalOptions: false, helpWidth: 120 })
    .showSuggestionAfterError(false)
    .helpCommand(false)
    .allowExcessArguments(false)
    .exitOverride((err) => {
      throw new ParseFailure(command, err);
    });
  for (const sub of command.commands) configureTree(sub, io);
}

/** The allowed long flags of a command, as a usage message lists them (help last). */
function allowedFlags(command: Command): string {
  return command.options.map((o) => o.long ?? o.short ?? o.flags).filter((f) => f !== '--help').join(', ');
}

/** Writes the message for a parse failure and returns its exit code (help and --version are not failures). */
export function reportParseFailure(failure: ParseFailure, io: CliIo): number {
  const { command, cause } = failure;
  if (cause.code === 'commander.helpDisplayed' || cause.code === 'commander.version') return ExitCode.OK;
  // A command that needs a subcommand was given none: its help went to stderr.
  if (cause.code === 'commander.help') return ExitCode.USAGE;
  const where = commandPath(command);
  const prefix = where === '' ? 'vpctune' : `vpctune ${where}`;
  const quoted = /'([^']*)'/.exec(cause.message)?.[1] ?? '';
  let message: string;
  switch (cause.code) {
    case 'commander.unknownOption':
      message = `unknown option ${quoted}; allowed: ${allowedFlags(command)}`;
      break;
    case 'commander.unknownCommand':
      message = `unknown ${where === '' ? 'command' : 'subcommand'} '${quoted}'; allowed: ${command.commands.map((c) => c.name()).join(', ')}`;
      break;
    case 'commander.excessArguments':
      message = `unexpected argument '${command.args[command.registeredArguments.length] ?? ''}'`;
      break;
    case 'commander.invalidArgument': {
      const m = /^error: option '(\S+)[^']*' argument '(.*)' is invalid\. (.*)$/s.exec(cause.message);
      message = m === null ? cause.message.replace(/^error: /, '') : `${m[1]} ${m[2]}: ${m[3]}`;
      break;
    }
    case 'commander.optionMissingArgument': {
      const flag = /'(--?[\w-]+)/.exec(cause.message)?.[1] ?? quoted;
      message = `option ${flag} needs a value`;
      break;
    }
    default:
      message = cause.message.replace(/^error: /, '');
  }
  io.stderr.write(`${prefix}: ${message}\n`);
  return ExitCode.USAGE;
}

/**
 * The action of a command: runs `body` through the one runner (errors → messages and exit codes) and records the
 * exit code. `body` gets the command (its `opts()` and `processedArgs`); implementations are required inside it, so
 * a command loads only its own modules.
 */
export function runsWith(context: CommandContext, body: (command: Command) => Promise<number>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    context.setExitCode(await runCommand(commandPath(command), context.io, () => body(command)));
  };
}
