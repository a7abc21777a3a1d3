import { ConfigError, formatIssue } from '../../constructs/config/issues';
import type { CliIo } from './io';
import { ExitCode, UsageError } from './usage-error';

/**
 * The one runner behind every command: runs its body and turns errors into messages and exit codes. A ConfigError
 * lists every issue with its field path and a UsageError prints `vpctune <command>: <message>` (both exit 2);
 * anything else is a run-time failure, `vpctune <command>: <message>` and exit 1 (with the stack when VPCTUNE_DEBUG
 * is set).
 */
export async function runCommand(commandPath: string, io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.source}: ${err.issues.length} error${err.issues.length === 1 ? '' : 's'}\n`);
      for (const issue of err.issues) io.stderr.write(`  ${formatIssue(issue)}\n`);
      return ExitCode.USAGE;
    }
    if (err instanceof UsageError) {
      // One line per problem, each naming the command.
      io.stderr.write(err.message.split('\n').map((line) => `vpctune ${commandPath}: ${line}\n`).join(''));
      return ExitCode.USAGE;
    }
    const debug = process.env['VPCTUNE_DEBUG'] !== undefined && process.env['VPCTUNE_DEBUG'] !== '' && err instanceof Error;
    io.stderr.write(`vpctune ${commandPath}: ${debug ? String(err.stack) : err instanceof Error ? err.message : String(err)}\n`);
    return ExitCode.FAILURE;
  }
}
