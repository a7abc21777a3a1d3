import * as fs from 'node:fs';
import * as path from 'node:path';
import { Cloud } from '../../../../constructs/catalog';
import { ConfigError, formatIssue, loadConfigFile, type ResolvedPlatformConfig } from '../../../../constructs/config';
import { BUCKET_SCHEME, KubernetesExecutor, settingsFromConfig, type KubernetesRunSettings } from '../executor/kubernetes';
import { jsonLogger, type LogLevel } from '../ops/logger';
import { ensureApiKey } from '../platform/api-keys';
import { startPlatform } from '../platform/platform';
import { STORAGE_URL_FORMS, storageFromUrl } from '../storage/storage-from-url';
import { intFlag, parseArgs, runCommand, stringFlag, UsageError } from './args';

const USAGE =
  'usage: vpctune serve --config PLATFORM.yaml --storage URL --trainer-image IMAGE [--bucket-uri URI] [--database-url postgres://…] ' +
  '[--data-dir DIR] [--host H] [--port N] [--max-jobs N] [--max-jobs-per-project N] [--project P]';

/** What `vpctune serve` runs with, decided from its flags and environment before anything starts. */
export interface ServePlan {
  readonly config: ResolvedPlatformConfig;
  readonly storageUrl: string;
  readonly settings: KubernetesRunSettings;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly maxJobs: number;
  readonly maxJobsPerProject: number;
  readonly project: string;
}

/**
 * The bucket URI the trainer pods use for the controller's storage URL: the same bucket and prefix in the trainer's
 * scheme (`az://ACCOUNT/CONTAINER/P` becomes `az://CONTAINER/P` plus the account URL). Undefined for local storage.
 */
export function trainerBucketOf(storageUrl: string): { readonly bucketUri: string; readonly azureStorageAccountUrl?: string } | undefined {
  const m = /^(s3|gs|az):\/\/([^/?]+)(\/[^?]*)?/.exec(storageUrl);
  if (m === null) return undefined;
  const [, scheme, host, rest = ''] = m as unknown as [string, string, string, string | undefined];
  const tail = rest.replace(/\/+$/, '');
  if (scheme !== 'az') return { bucketUri: `${scheme}://${host}${tail}` };
  const [container, ...prefix] = tail.split('/').filter((s) => s !== '');
  if (container === undefined) return undefined;
  return { bucketUri: `az://${[container, ...prefix].join('/')}`, azureStorageAccountUrl: `https://${host}.blob.core.windows.net` };
}

/** Checks the flags against the platform config; every problem names the flag, the value and what is allowed. */
export function planServe(args: readonly string[], env: NodeJS.ProcessEnv = process.env): ServePlan {
  const { flags, positionals } = parseArgs(args, ['config', 'storage', 'trainer-image', 'bucket-uri', 'database-url', 'data-dir', 'host', 'port', 'max-jobs', 'max-jobs-per-project', 'project']);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0] as string}\n${USAGE}`);
  const problems: string[] = [];
  const configFile = stringFlag(flags, 'config') ?? env['VPCTUNE_CONFIG_FILE'];
  const storageUrl = stringFlag(flags, 'storage') ?? env['VPCTUNE_STORAGE_URL'];
  const trainerImage = stringFlag(flags, 'trainer-image') ?? env['VPCTUNE_TRAINER_IMAGE'];
  if (configFile === undefined) problems.push('--config (or VPCTUNE_CONFIG_FILE) is required: the platform config the stack was deployed from');
  if (storageUrl === undefined) problems.push(`--storage (or VPCTUNE_STORAGE_URL) is required; allowed: ${STORAGE_URL_FORMS}`);
  if (trainerImage === undefined) problems.push('--trainer-image (or VPCTUNE_TRAINER_IMAGE) is required: the trainer image in the platform registry, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/trainer:0.1.0');
  else if (/:latest$/.test(trainerImage) || !/[:@]/.test(trainerImage.split('/').pop() ?? '')) {
    problems.push(`--trainer-image ${JSON.stringify(trainerImage)} has no pinned tag or digest; allowed: IMAGE:TAG or IMAGE@sha256:DIGEST (not latest)`);
  }
  if (problems.length > 0 || configFile === undefined || storageUrl === undefined || trainerImage === undefined) throw new UsageError(`${problems.join('\n')}\n${USAGE}`);

  const config = loadConfigFile(configFile);
  const derived = trainerBucketOf(storageUrl);
  const bucketFlag = stringFlag(flags, 'bucket-uri');
  const expectedScheme = BUCKET_SCHEME[config.cloud];
  if (derived !== undefined && !derived.bucketUri.startsWith(`${expectedScheme}://`)) {
    throw new UsageError(`--storage ${storageUrl} is not ${config.cloud} storage; platform ${config.name} runs on ${config.cloud}: allowed ${expectedScheme}://…`);
  }
  if (derived === undefined && bucketFlag === undefined) {
    throw new UsageError(`--storage ${storageUrl} is local; trainer pods cannot read it: give --bucket-uri ${expectedScheme}://BUCKET that mirrors it, or use ${expectedScheme}:// storage`);
  }
  const settings = settingsFromConfig(config, {
    trainerImage,
    bucketUri: bucketFlag ?? (derived as { bucketUri: string }).bucketUri,
    ...(config.cloud === Cloud.AZURE && derived?.azureStorageAccountUrl !== undefined ? { azureStorageAccountUrl: derived.azureStorageAccountUrl } : {}),
  });
  const databaseUrl = stringFlag(flags, 'database-url') ?? env['VPCTUNE_DATABASE_URL'];
  return {
    config,
    storageUrl,
    settings,
    ...(databaseUrl !== undefined && databaseUrl !== '' ? { databaseUrl } : {}),
    dataDir: path.resolve(stringFlag(flags, 'data-dir') ?? env['VPCTUNE_DATA_DIR'] ?? '/data'),
    host: stringFlag(flags, 'host') ?? '0.0.0.0',
    port: intFlag(flags, 'port', 8321),
    // Kueue queues and admits on the cluster; the controller only keeps that many Jobs submitted at once.
    maxJobs: intFlag(flags, 'max-jobs', 64, 1, 10_000),
    maxJobsPerProject: intFlag(flags, 'max-jobs-per-project', 8, 1, 10_000),
    project: stringFlag(flags, 'project') ?? 'default',
  };
}

/**
 * `vpctune serve`: the controller inside the platform's cluster (the controller image's command). Same API as
 * `up --local`, with the platform's object store, PostgreSQL when given, and the Kubernetes executor, which submits
 * one (Indexed) Job per fine-tuning job through Kueue. In-cluster credentials come from the service account.
 */
export function runServe(args: readonly string[]): Promise<number> {
  return runCommand('serve', async () => {
    let plan: ServePlan;
    try {
      plan = planServe(args);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(`${err.source}: ${err.issues.map(formatIssue).join('; ')}`);
      throw err;
    }
    fs.mkdirSync(plan.dataDir, { recursive: true });
    const log = jsonLogger((l) => process.stderr.write(l), (process.env['VPCTUNE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info', { platform: plan.config.name });
    const platform = await startPlatform({
      dataDir: plan.dataDir,
      ...(plan.databaseUrl !== undefined ? { databaseUrl: plan.databaseUrl } : {}),
      host: plan.host,
      port: plan.port,
      storage: storageFromUrl(plan.storageUrl),
      executor: KubernetesExecutor.factory({ settings: plan.settings }),
      trainer: { python: 'unused: the Kubernetes executor runs the trainer image' },
      supervisor: { maxConcurrentJobs: plan.maxJobs, perProjectRunningLimit: plan.maxJobsPerProject },
      log,
    });
    const envKey = process.env['VPCTUNE_API_KEY'];
    if (envKey !== undefined && envKey !== '') await ensureApiKey(platform.store, plan.project, envKey, Math.floor(Date.now() / 1000));
    log.info('serving', { url: platform.url, store: platform.store.kind, storage: platform.storage.kind, executor: platform.executor.kind, bucket: plan.settings.bucketUri, pools: plan.settings.pools.map((p) => p.name) });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await platform.close();
    return 0;
  });
}
