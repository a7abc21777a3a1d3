import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile, type ResolvedPlatformConfig } from '../../../../constructs/config';
import { cloudProfile, profileForStorageUrl } from '../../../../constructs/platform/cloud-profiles';
import { servingUpstreamUrl } from '../../../../constructs/platform/serving-names';
import { UsageError } from '../../../../stacks/cli/usage-error';
import { KubernetesExecutor, settingsFromConfig, settingsProblems, type KubernetesRunSettings } from '../executor/kubernetes';
import { jobCredentialIssuerFor } from '../executor/kubernetes/job-credential-issuers';
import { jsonLogger, type LogLevel } from '../ops/logger';
import { ensureApiKey } from '../platform/api-keys';
import { startPlatformConsole } from '../console/platform-console';
import { startPlatform } from '../platform/platform';
import { STORAGE_URL_FORMS, storageFromUrl } from '../storage/storage-from-url';

/** The flags of `vpctune serve` (each also read from its environment variable, see the command's --help). */
export interface ServeFlags {
  readonly config?: string;
  readonly storage?: string;
  readonly trainerImage?: string;
  readonly bucketUri?: string;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  readonly maxJobs: number;
  readonly maxJobsPerProject: number;
  readonly project: string;
  /** A key to make sure of at start (VPCTUNE_API_KEY). @default none */
  readonly apiKey?: string;
  /** The web console's port; null: no console. @default 8322 (the CLI's default) */
  readonly consolePort?: number | null;
}

/** The web console's port under `vpctune serve` (the API's is 8321). */
export const DEFAULT_SERVE_CONSOLE_PORT = 8322;

/** What `vpctune serve` runs with, decided from its flags before anything starts. */
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
  readonly apiKey?: string;
  /** null: no console. */
  readonly consolePort: number | null;
}

/**
 * The storage URL trainer pods use for the controller's storage: the same bucket (container) and prefix, in the cloud
 * profile's form. Undefined for local storage; a usage error for another cloud's storage or a malformed name.
 */
function trainerBucketOf(config: ResolvedPlatformConfig, storageUrl: string): string | undefined {
  const storage = cloudProfile(config.cloud).storage;
  const other = profileForStorageUrl(storageUrl);
  if (other === undefined) return undefined;
  const allowed = `${storage.scheme}://…`;
  if (other.cloud !== config.cloud) throw new UsageError(`--storage ${storageUrl} is not ${config.cloud} storage; platform ${config.name} runs on ${config.cloud}: allowed ${allowed}`);
  let parsed: ReturnType<typeof storage.parse>;
  try {
    parsed = storage.parse(storageUrl.replace(/[?#].*$/, '')); // ?region= is for the controller's S3 client only
  } catch (err) {
    if (err instanceof Error) throw new UsageError(`--storage ${storageUrl}: ${err.message}`);
    throw err;
  }
  if (parsed === undefined) throw new UsageError(`--storage ${storageUrl} is not a ${config.cloud} storage URL; allowed: ${storage.urlForm}`);
  const base = storage.url(parsed.location);
  return parsed.prefix === '' ? base : `${base}/${parsed.prefix}`;
}

/** Checks the flags against the platform config; every problem names the flag, the value and what is allowed. */
export function planServe(flags: ServeFlags): ServePlan {
  const problems: string[] = [];
  const { config: configFile, storage: storageUrl, trainerImage } = flags;
  if (configFile === undefined) problems.push('--config (or VPCTUNE_CONFIG_FILE) is required: the platform config the stack was deployed from');
  if (storageUrl === undefined) problems.push(`--storage (or VPCTUNE_STORAGE_URL) is required; allowed: ${STORAGE_URL_FORMS}`);
  if (trainerImage === undefined) problems.push('--trainer-image (or VPCTUNE_TRAINER_IMAGE) is required: the trainer image in the platform registry, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/trainer:0.1.0');
  else if (/:latest$/.test(trainerImage) || !/[:@]/.test(trainerImage.split('/').pop() ?? '')) {
    problems.push(`--trainer-image ${JSON.stringify(trainerImage)} has no pinned tag or digest; allowed: IMAGE:TAG or IMAGE@sha256:DIGEST (not latest)`);
  }
  if (problems.length > 0 || configFile === undefined || storageUrl === undefined || trainerImage === undefined) throw new UsageError(problems.join('\n'));

  const config = loadConfigFile(configFile);
  const derived = trainerBucketOf(config, storageUrl);
  const scheme = cloudProfile(config.cloud).storage.scheme;
  if (derived === undefined && flags.bucketUri === undefined) {
    throw new UsageError(`--storage ${storageUrl} is local; trainer pods cannot read it: give --bucket-uri ${scheme}://BUCKET that mirrors it, or use ${scheme}:// storage`);
  }
  const settings = settingsFromConfig(config, { trainerImage, bucketUri: flags.bucketUri ?? (derived as string) });
  const settingsIssues = settingsProblems(settings);
  if (settingsIssues.length > 0) throw new UsageError(settingsIssues.join('\n'));
  return {
    config,
    storageUrl,
    settings,
    ...(flags.databaseUrl !== undefined && flags.databaseUrl !== '' ? { databaseUrl: flags.databaseUrl } : {}),
    dataDir: path.resolve(flags.dataDir),
    host: flags.host,
    port: flags.port,
    maxJobs: flags.maxJobs,
    maxJobsPerProject: flags.maxJobsPerProject,
    project: flags.project,
    ...(flags.apiKey !== undefined && flags.apiKey !== '' ? { apiKey: flags.apiKey } : {}),
    consolePort: flags.consolePort === undefined ? DEFAULT_SERVE_CONSOLE_PORT : flags.consolePort,
  };
}

/** The executor's per-job credential issuer for the platform's cloud; a missing controller role is a usage error. */
function credentialsOption(plan: ServePlan): { credentials?: ReturnType<typeof jobCredentialIssuerFor> & object } {
  try {
    const credentials = jobCredentialIssuerFor({ settings: plan.settings, platformName: plan.config.name, project: plan.config.gcp?.project, env: process.env });
    return credentials !== undefined ? { credentials } : {};
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/**
 * `vpctune serve`: the controller inside the platform's cluster (the controller image's command). Same API as
 * `up --local`, with the platform's object store, PostgreSQL when given, and the Kubernetes executor, which submits
 * one (Indexed) Job per fine-tuning job through Kueue. In-cluster credentials come from the service account.
 */
export async function runServe(flags: ServeFlags): Promise<number> {
  const plan = planServe(flags);
  fs.mkdirSync(plan.dataDir, { recursive: true });
  const log = jsonLogger((l) => process.stderr.write(l), (process.env['VPCTUNE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info', { platform: plan.config.name });
  const platform = await startPlatform({
    dataDir: plan.dataDir,
    ...(plan.databaseUrl !== undefined ? { databaseUrl: plan.databaseUrl } : {}),
    host: plan.host,
    port: plan.port,
    storage: storageFromUrl(plan.storageUrl),
    // Per-job downscoped trainer credentials where the cloud has an issuer (ARCHITECTURE.md, "Tenant isolation below the API").
    executor: KubernetesExecutor.factory({ settings: plan.settings, ...credentialsOption(plan) }),
    trainer: { python: 'unused: the Kubernetes executor runs the trainer image' },
    supervisor: { maxConcurrentJobs: plan.maxJobs, perProjectRunningLimit: plan.maxJobsPerProject },
    // The config's served models, each behind its Service (constructs/platform/serving-names.ts).
    serving: { upstreams: plan.config.serving.map((s) => ({ model: s.model, urls: [servingUpstreamUrl(s.model)] })) },
    log,
  });
  if (plan.apiKey !== undefined) await ensureApiKey(platform.store, plan.project, plan.apiKey, Math.floor(Date.now() / 1000));
  const webConsole = plan.consolePort === null ? undefined : await startPlatformConsole(platform, plan.host, plan.consolePort);
  if (webConsole !== undefined && 'off' in webConsole) log.warn('web console off', { reason: webConsole.off });
  log.info('serving', { console: webConsole !== undefined && 'url' in webConsole ? webConsole.url : null,  url: platform.url, store: platform.store.kind, storage: platform.storage.kind, executor: platform.executor.kind, bucket: plan.settings.bucketUri, pools: plan.settings.pools.map((p) => p.name) });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (webConsole !== undefined && 'close' in webConsole) await webConsole.close();
  await platform.close();
  return 0;
}
