/** `keys`, `models` and `jobs`: API keys and base models of a platform's store, and a job's Kubernetes objects. */
import * as path from 'node:path';
import { Command } from 'commander';
import { declareCommand, integerIn, runsWith, type CommandContext } from '../program';
import { UsageError } from '../usage-error';
import { databaseUrlOption, dataDirOption } from './local-commands';

/* eslint-disable @typescript-eslint/no-require-imports -- the controller loads only when one of these runs */

type KeysModule = typeof import('../../../images/controller/src/cli/keys-command');
type ModelsModule = typeof import('../../../images/controller/src/cli/models-command');
type JobsModule = typeof import('../../../images/controller/src/cli/jobs-command');

/** A subcommand that reaches the store: `--data-dir` and `--database-url`. */
function storeSubcommand(name: string, summary: string, example: string): Command {
  return declareCommand(name, summary, example).addOption(dataDirOption('local')).addOption(databaseUrlOption());
}

function storeOf(command: Command): { dataDir: string; databaseUrl?: string } {
  const o = command.opts<{ dataDir: string; databaseUrl?: string }>();
  return { dataDir: path.resolve(o.dataDir), ...(o.databaseUrl !== undefined && o.databaseUrl !== '' ? { databaseUrl: o.databaseUrl } : {}) };
}

export function keysCommand(context: CommandContext): Command {
  const keys = () => require('../../../images/controller/src/cli/keys-command') as KeysModule;
  const create = storeSubcommand('create', 'make an API key for a project; prints it once', 'vpctune keys create --project acme')
    .option('--project <project>', 'the project the key acts for')
    .action(
      runsWith(context, async (command) => {
        const project = command.opts<{ project?: string }>().project;
        if (project === undefined) throw new UsageError('--project P is required');
        return keys().runKeys({ kind: 'create', project }, storeOf(command), context.io);
      }),
    );
  const revoke = storeSubcommand('revoke', 'revoke keys by id (key-…); they fail at once', 'vpctune keys revoke key-2f6c1d0e9a')
    .argument('<key-id...>', 'ids of the keys to revoke (key-…), as keys list shows them')
    .action(runsWith(context, async (command) => keys().runKeys({ kind: 'revoke', ids: command.processedArgs[0] as string[] }, storeOf(command), context.io)));
  const list = storeSubcommand('list', 'list keys: id, project, created, last used, revoked (never the key)', 'vpctune keys list --project acme')
    .option('--project <project>', 'only this project (default: all)')
    .action(
      runsWith(context, async (command) => {
        const project = command.opts<{ project?: string }>().project;
        return keys().runKeys({ kind: 'list', ...(project !== undefined ? { project } : {}) }, storeOf(command), context.io);
      }),
    );
  return declareCommand('keys', 'create, list or revoke API keys (keys create --project P | keys list | keys revoke KEY_ID)', 'vpctune keys create --project acme')
    .addCommand(create)
    .addCommand(list)
    .addCommand(revoke);
}

export function modelsCommand(context: CommandContext): Command {
  const models = () => require('../../../images/controller/src/cli/models-command') as ModelsModule;
  const importCommand = storeSubcommand('import', 'copy base model weights into storage and register them for every project', 'vpctune models import --id acme/base-1b --from ./base-1b')
    .option('--id <id>', "the model's id, Hugging Face style (org/name)")
    .option('--from <dir>', 'a Hugging Face model directory (with config.json)')
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<{ id?: string; from?: string }>();
        if (o.id === undefined || o.from === undefined) throw new UsageError('models import needs --id ID and --from DIR');
        return models().runModels({ kind: 'import', id: o.id, from: o.from }, storeOf(command), context.io);
      }),
    );
  const list = storeSubcommand('list', "list the base models and a project's fine-tuned models", 'vpctune models list --project acme')
    .option('--project <project>', 'whose fine-tuned models to list beside the base models', 'default')
    .action(runsWith(context, async (command) => models().runModels({ kind: 'list', project: command.opts<{ project: string }>().project }, storeOf(command), context.io)));
  return declareCommand('models', 'register or list base model weights (models import --id ID --from DIR | models list)', 'vpctune models list')
    .addCommand(importCommand)
    .addCommand(list);
}

export function jobsCommand(context: CommandContext): Command {
  const render = declareCommand(
    'render',
    'print, as YAML, the Kubernetes objects the Kubernetes executor would create for a create-job request body',
    'vpctune jobs render --config stacks/examples/design-sketch.yaml --request job.json --bucket s3://acme-ft-artifacts',
  )
    .option('--config <file>', 'the platform config')
    .option('--request <file>', 'the JSON body of POST /v1/fine_tuning/jobs (with the adapter extension field)')
    .option('--job-id <id>', 'the job id (default: ftjob-render-<hash of the request>)')
    .option('--project <project>', 'the project the job belongs to', 'default')
    .option('--attempt <n>', 'the attempt number', integerIn(1, 1000), 1)
    .option('--bucket <uri>', "the deployed bucket, in the cloud's storage URL form (default: the stack's default name)")
    .option('--image <ref>', 'the pushed trainer image (default: a placeholder)')
    .option('--storage-endpoint <url>', "an object-store endpoint trainer pods use instead of the cloud's public one")
    .option('--active-deadline-seconds <s>', "the Job's activeDeadlineSeconds", integerIn(1, 31_536_000))
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<{ config?: string; request?: string; jobId?: string; project: string; attempt: number; bucket?: string; image?: string; storageEndpoint?: string; activeDeadlineSeconds?: number }>();
        if (o.config === undefined) throw new UsageError('--config is required');
        if (o.request === undefined) throw new UsageError('--request is required');
        const { runJobsRender } = require('../../../images/controller/src/cli/jobs-command') as JobsModule;
        return runJobsRender({ ...o, config: o.config, request: o.request }, context.io);
      }),
    );
  return declareCommand('jobs', 'render the Kubernetes objects for a job request (jobs render)', 'vpctune jobs render --config platform.yaml --request job.json').addCommand(render);
}
