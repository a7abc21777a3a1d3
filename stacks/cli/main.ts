/**
 * `vpctune`: one argument parser (commander) for every command. Command definitions (flags, defaults, help, one
 * example each) live in ./commands; each command's implementation is required only when it runs, so `vpctune
 * validate` never pays for the controller's or the estimator's dependencies. Exit codes: README.md, "Exit codes".
 */
import { Command } from 'commander';
import { jobsCommand, keysCommand, modelsCommand } from './commands/admin-commands';
import { estimateCommand } from './commands/estimate';
import { demoCommand, serveCommand, upCommand } from './commands/local-commands';
import { platformCommand } from './commands/platform';
import { synthCommand, validateCommand } from './commands/stack-commands';
import { PROCESS_IO, type CliIo } from './io';
import { packageVersion } from './package-version';
import { configureTree, ParseFailure, reportParseFailure, type CommandContext } from './program';
import { ExitCode } from './usage-error';

/** The whole command tree, writing to `context.io`. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('vpctune')
    .description('Private fine-tuning platform for open LLMs in your own cloud account.')
    .usage('<command> [options]')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', '\nExit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 policy findings.\n`vpctune <command> --help` lists a command\'s flags.\n');
  for (const make of [validateCommand, synthCommand, platformCommand, estimateCommand, upCommand, serveCommand, demoCommand, keysCommand, modelsCommand, jobsCommand]) {
    program.addCommand(make(context));
  }
  configureTree(program, context.io);
  return program;
}

/** Runs `vpctune <argv>` and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = PROCESS_IO): Promise<number> {
  let code: number = ExitCode.OK;
  const program = buildProgram({ io, setExitCode: (c) => (code = c) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof ParseFailure) return reportParseFailure(err, io);
    throw err;
  }
}
