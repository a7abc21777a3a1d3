/** `up`, `serve` and `demo`: the platform's controller, on this machine or in the cluster. */
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DATA_DIR_ENV, defaultDataDir } from '../data-dir';
import { declareCommand, envOption, integerIn, runsWith, type CommandContext } from '../program';

/* eslint-disable @typescript-eslint/no-require-imports -- the controller loads only when one of these runs */

const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
};

/** `--data-dir`, from VPCTUNE_DATA_DIR when not given, else the per-user default. */
export function dataDirOption(kind: 'local' | 'demo'): Option {
  return envOption('--data-dir <dir>', `the ${kind === 'demo' ? "demo's" : "local platform's"} data directory (store, storage, logs)`, DATA_DIR_ENV).default(defaultDataDir(kind));
}

export function databaseUrlOption(): Option {
  return envOption('--database-url <url>', 'PostgreSQL URL (postgres://…); the embedded SQLite store in the data directory otherwise', 'VPCTUNE_DATABASE_URL');
}

export function upCommand(context: CommandContext): Command {
  return declareCommand('up', 'run the whole platform on this machine until Ctrl-C (--local)', 'vpctune up --local --port 8321')
    .option('--local', 'the platform on this machine: embedded store, local storage, local trainer (the only mode here)', false)
    .option('--port <n>', 'API port (0 picks a free one)', integerIn(0, 65535), 8321)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(dataDirOption('local'))
    .addOption(databaseUrlOption())
    .option('--max-jobs <n>', 'jobs trained at once', integerIn(1, 64), 1)
    .option('--project <project>', 'the project of the API key the first start creates', 'default')
    .option('--console-port <n>', 'web console port (default: the API port + 1; a free one when --port is 0)', integerIn(0, 65535))
    .option('--no-console', 'do not serve the web console')
    .action(
      runsWith(context, async (command) => {
        const { console: withConsole, consolePort, ...o } = command.opts<{ local: boolean; port: number; host: string; dataDir: string; databaseUrl?: string; maxJobs: number; project: string; console: boolean; consolePort?: number }>();
        const { runUp } = require('../../../images/controller/src/cli/up-command') as typeof import('../../../images/controller/src/cli/up-command');
        const apiKey = process.env['VPCTUNE_API_KEY'];
        return runUp({ ...o, dataDir: path.resolve(o.dataDir), ...(apiKey !== undefined && apiKey !== '' ? { apiKey } : {}), ...(withConsole ? (consolePort !== undefined ? { consolePort } : {}) : { consolePort: null }) }, context.io);
      }),
    );
}

export function serveCommand(context: CommandContext): Command {
  return declareCommand(
    'serve',
    "run the controller in the platform's cluster (Kubernetes executor, cloud storage); the controller image's command",
    'vpctune serve --config platform.yaml --storage s3://acme-ft-artifacts --trainer-image 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/trainer:0.1.0',
  )
    .addOption(envOption('--config <file>', 'the platform config the stack was deployed from', 'VPCTUNE_CONFIG_FILE'))
    .addOption(envOption('--storage <url>', "the platform's object storage (s3://, gs://, az://ACCOUNT/CONTAINER) or a local directory", 'VPCTUNE_STORAGE_URL'))
    .addOption(envOption('--trainer-image <ref>', 'the trainer image, pinned by tag or digest', 'VPCTUNE_TRAINER_IMAGE'))
    .option('--bucket-uri <uri>', "the bucket trainer pods use when --storage is a local directory that mirrors it")
    .addOption(databaseUrlOption())
    .addOption(envOption('--data-dir <dir>', 'working directory (the embedded store when no --database-url)', DATA_DIR_ENV).default('/data'))
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--port <n>', 'API port', integerIn(0, 65535), 8321)
    .option('--max-jobs <n>', 'Jobs kept submitted to the cluster at once (Kueue admits them)', integerIn(1, 10_000), 64)
    .option('--max-jobs-per-project <n>', 'of those, per project', integerIn(1, 10_000), 8)
    .option('--project <project>', 'the project of VPCTUNE_API_KEY when it is set', 'default')
    .option('--console-port <n>', 'web console port', integerIn(0, 65535), 8322)
    .option('--no-console', 'do not serve the web console')
    .action(
      runsWith(context, async (command) => {
        const { console: withConsole, ...flags } = command.opts<import('../../../images/controller/src/cli/serve-command').ServeFlags & { console: boolean }>();
        const o = { ...flags, consolePort: withConsole ? flags.consolePort : null };
        const { runServe } = require('../../../images/controller/src/cli/serve-command') as typeof import('../../../images/controller/src/cli/serve-command');
        const apiKey = process.env['VPCTUNE_API_KEY'];
        return runServe({ ...o, ...(apiKey !== undefined && apiKey !== '' ? { apiKey } : {}) });
      }),
    );
}

/**
 * The demo's training defaults, as its data set (images/controller/src/cli/demo-data.ts) chose them; written out here
 * so that defining the commands loads no controller module (`validate` stays light). A test keeps the two equal.
 */
export const DEMO_DEFAULTS = { examples: 40, epochs: 5, batchSize: 1, lrMultiplier: 10 } as const;

export function demoCommand(context: CommandContext): Command {
  return declareCommand('demo', 'start a local platform, fine-tune the tiny model through the API with a progress bar, ask it and the base model a question from the training data, stop', 'vpctune demo --epochs 5')
    .addOption(dataDirOption('demo'))
    .option('--epochs <n>', `passes over the ${DEMO_DEFAULTS.examples} examples`, integerIn(1, 50), DEMO_DEFAULTS.epochs)
    .option('--batch-size <n>', 'examples per step', integerIn(1, 256), DEMO_DEFAULTS.batchSize)
    .option('--lr-multiplier <x>', 'learning-rate multiplier', positiveNumber, DEMO_DEFAULTS.lrMultiplier)
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<{ dataDir: string; epochs: number; batchSize: number; lrMultiplier: number }>();
        const { runDemo } = require('../../../images/controller/src/cli/demo-command') as typeof import('../../../images/controller/src/cli/demo-command');
        return runDemo({ ...o, dataDir: path.resolve(o.dataDir) }, context.io);
      }),
    );
}
