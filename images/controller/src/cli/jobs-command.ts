/**
 * `vpctune jobs render --config PLATFORM.yaml --request JOB.json [--job-id ID] [--project P] [--attempt N]
 *   [--bucket URI] [--image REF] [--storage-endpoint URL] [--active-deadline-seconds S]`
 *
 * Prints, as YAML, the Kubernetes objects the Kubernetes executor would create for a create-job request body (the
 * JSON `POST /v1/fine_tuning/jobs` takes, with the `adapter` extension field and its `pool`) on the platform the config
 * describes — for review, debugging and GitOps. It runs the controller's own code: the API's request validation, the
 * supervisor's run request, the executor's placement and manifest builder. Bad input exits 2 naming the field, the
 * value and what is allowed. Files and models are not looked up (there is no store here).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../../../constructs/config';
import { findModel } from '../../../../constructs/estimate';
import { ApiError } from '../domain/api-error';
import type { JobRecord } from '../domain/job';
import type { RunRequest } from '../executor/executor';
import { buildRunManifests } from '../executor/kubernetes/manifests';
import { PlacementError } from '../executor/kubernetes/placement';
import { placeRun } from '../executor/kubernetes/kubernetes-executor';
import { settingsFromConfig, settingsProblems, type RunSettingsOverrides } from '../executor/kubernetes/settings';
import { JobSupervisor } from '../jobs/job-supervisor';
import { PROJECT_PATTERN } from '../platform/api-keys';
import { parseCreateJobRequest } from '../validation/create-job-request';
import type { CliIo } from '../../../../stacks/cli/io';
import { UsageError } from '../../../../stacks/cli/usage-error';

/** The trainer's default seed (images/trainer/README.md); the API draws one at random when a request has none. */
const RENDER_SEED = 42;

function readRequest(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--request ${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--request ${file}: is not valid JSON (${(err as Error).message})`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new UsageError(`--request ${file}: the request body must be a JSON object`);
  return body as Record<string, unknown>;
}

/** A job record as the API would create it from the request (what the supervisor turns into a run request). */
function jobRecord(id: string, projectId: string, body: Record<string, unknown>): JobRecord {
  const req = parseCreateJobRequest(body, () => RENDER_SEED);
  return {
    id,
    projectId,
    createdMs: 0,
    status: 'running',
    model: req.model,
    trainingFile: req.trainingFile,
    validationFile: req.validationFile,
    suffix: req.suffix,
    seed: req.seed,
    metadata: req.metadata,
    method: req.method,
    adapter: req.adapter,
    fineTunedModel: null,
    finishedAt: null,
    trainedTokens: null,
    error: null,
    resultFiles: [],
    estimatedFinish: null, estimatedRunSeconds: null, placement: null,
    resolvedHyperparameters: null,
    runRef: null,
    attempt: 1,
    eventsCursor: 0,
    startedAt: null,
    pausedAt: null,
  };
}

/** The objects for one request, as a multi-document YAML string. */
export function renderJob(options: {
  readonly configFile: string;
  readonly requestFile: string;
  readonly jobId?: string;
  readonly projectId: string;
  readonly attempt: number;
  readonly overrides: RunSettingsOverrides;
}): string {
  const config = loadConfigFile(options.configFile);
  const body = readRequest(options.requestFile);
  const settings = settingsFromConfig(config, options.overrides);
  const problems = settingsProblems(settings);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  if (!PROJECT_PATTERN.test(options.projectId)) throw new UsageError(`--project ${JSON.stringify(options.projectId)}: allowed: 1-63 lowercase letters, digits, '-' or '_', starting with a letter or digit`);
  const jobId = options.jobId ?? `ftjob-render-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16)}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/.test(jobId)) throw new UsageError(`--job-id ${JSON.stringify(jobId)}: allowed: up to 63 letters, digits, '-' or '_' (like ftjob-abc123)`);

  const adapterField = body['adapter'];
  const pool = adapterField !== null && typeof adapterField === 'object' && !Array.isArray(adapterField) ? (adapterField as Record<string, unknown>)['pool'] : undefined;
  const job = jobRecord(jobId, options.projectId, body);
  // The supervisor's own mapping from a job to a run request (storage keys, method, adapter, seed, output dir).
  const base: RunRequest = JobSupervisor.prototype.runRequest.call(undefined, job);
  const request: RunRequest = pool === undefined ? base : { ...base, spec: { ...base.spec, adapter: { ...base.spec.adapter, pool } as RunRequest['spec']['adapter'] } };
  const placement = placeRun(request, settings, findModel(job.model));
  const manifests = buildRunManifests({ jobId, projectId: options.projectId, spec: request.spec, placement, attempt: options.attempt, preemptions: 0 }, settings);
  const header = [
    `# vpctune jobs render: fine-tuning job ${jobId} (project ${options.projectId}) on platform ${config.name} (${config.cloud} ${config.region})`,
    `# placement: ${placement.reason}`,
    `# bucket: ${settings.bucketUri}${options.overrides.bucketUri === undefined ? ' (placeholder: pass --bucket with the deployed bucket)' : ''}`,
    `# trainer image: ${settings.trainerImage}${options.overrides.trainerImage === undefined ? ' (placeholder: pass --image with the pushed image)' : ''}`,
    '# The executor creates the Job first (suspended, for Kueue), then the ConfigMap and Service with an ownerReference to it.',
  ];
  const docs = [manifests.job, manifests.configMap, ...(manifests.service !== undefined ? [manifests.service] : [])].map((o) => stringify(o, { lineWidth: 0 }));
  return `${header.join('\n')}\n---\n${docs.join('---\n')}`;
}

export interface JobsRenderOptions {
  readonly config: string;
  readonly request: string;
  /** @default a hash of the request (`ftjob-render-…`) */
  readonly jobId?: string;
  readonly project: string;
  readonly attempt: number;
  readonly bucket?: string;
  readonly image?: string;
  readonly storageEndpoint?: string;
  readonly activeDeadlineSeconds?: number;
}

export async function runJobsRender(options: JobsRenderOptions, io: CliIo): Promise<number> {
  const overrides: RunSettingsOverrides = {
    ...(options.bucket !== undefined ? { bucketUri: options.bucket } : {}),
    ...(options.image !== undefined ? { trainerImage: options.image } : {}),
    ...(options.storageEndpoint !== undefined ? { storageEndpoint: options.storageEndpoint } : {}),
    ...(options.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: options.activeDeadlineSeconds } : {}),
  };
  try {
    io.stdout.write(
      renderJob({
        configFile: options.config,
        requestFile: options.request,
        ...(options.jobId !== undefined ? { jobId: options.jobId } : {}),
        projectId: options.project,
        attempt: options.attempt,
        overrides,
      }),
    );
  } catch (err) {
    if (err instanceof ApiError || err instanceof PlacementError) throw new UsageError(`--request ${options.request}: ${err.param ?? 'body'}: ${err.message}`);
    throw err;
  }
  return 0;
}
