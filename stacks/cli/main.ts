/**
 * `vpctune` command dispatcher. Each command lives in its own module and is loaded only when used,
 * so `vpctune validate` never pays for the controller's or the estimator's dependencies.
 */
import * as path from 'node:path';

/** A command: parses its own arguments and returns the process exit code. */
export type CommandRunner = (args: readonly string[]) => Promise<number>;

interface CommandEntry {
  readonly summary: string;
  /** Module path relative to the repository root and the exported function name. */
  readonly module: string;
  readonly exportName: string;
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  validate: { summary: 'check a platform config; exit 2 listing every error', module: 'stacks/cli/validate-command.ts', exportName: 'runValidate' },
  synth: { summary: 'synthesize Terraform (cdktf layout) for a platform config', module: 'stacks/cli/synth-command.ts', exportName: 'runSynth' },
  platform: { summary: 'render the in-cluster objects: namespace, service accounts, Kueue flavors and queues (platform render)', module: 'stacks/cli/platform-command.ts', exportName: 'runPlatform' },
  estimate: { summary: 'time and cost of a fine-tuning job per cloud and GPU', module: 'constructs/estimate/estimate-command.ts', exportName: 'runEstimate' },
  up: { summary: 'run the whole platform on this machine (--local)', module: 'images/controller/src/cli/up-command.ts', exportName: 'runUp' },
  serve: { summary: 'run the controller in the platform cluster (Kubernetes executor, cloud storage)', module: 'images/controller/src/cli/serve-command.ts', exportName: 'runServe' },
  demo: { summary: 'start the local platform, fine-tune the tiny model through the API, stop', module: 'images/controller/src/cli/demo-command.ts', exportName: 'runDemo' },
  keys: { summary: 'create or revoke API keys (keys create --project P | keys revoke KEY_ID)', module: 'images/controller/src/cli/keys-command.ts', exportName: 'runKeys' },
  models: { summary: 'register base model weights (models import --id ID --from DIR)', module: 'images/controller/src/cli/models-command.ts', exportName: 'runModels' },
  jobs: { summary: 'render the Kubernetes objects for a job request (jobs render)', module: 'images/controller/src/cli/jobs-command.ts', exportName: 'runJobs' },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: vpctune <command> [options]', '', 'commands:', ...lines, ''].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage());
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  if (entry === undefined) {
    process.stderr.write(`vpctune: unknown command '${command}'; allowed: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  // Without the extension: `.ts` from source (tsx, jest), `.js` from dist/ (REPO_ROOT is then dist/, the compile root).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(REPO_ROOT, entry.module.replace(/\.ts$/, ''))) as Record<string, CommandRunner>;
  const run = mod[entry.exportName];
  if (typeof run !== 'function') throw new Error(`${entry.module} does not export ${entry.exportName}`);
  return run(rest);
}
