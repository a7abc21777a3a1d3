/**
 * What the executor's manifests take from the cloud profile: the pod environment (`podEnv`), the pod labels of the
 * identity webhook (`workloadIdentity.podLabels`), tolerations for the taints the cloud adds to a pool
 * (`addedTaints`: AKS Spot), and bucket URIs in the cloud's form. Also `trainerStorageOf`, which gives `serve` the
 * trainer's bucket URI for any cloud's storage URL.
 */
import { parseConfig, type ResolvedPlatformConfig } from '../../../../constructs/config';
import { findModel } from '../../../../constructs/estimate';
import { buildRunManifests, type RunManifests } from '../../src/executor/kubernetes/manifests';
import { choosePlacement } from '../../src/executor/kubernetes/placement';
import { settingsFromConfig, settingsProblems, trainerStorageOf, type RunSettingsOverrides } from '../../src/executor/kubernetes/settings';
import type { TrainerSpec } from '../../src/executor/trainer-contract';
import { loadSchemaChecker, type SchemaChecker } from './k8s-schema';

const TODAY = { today: '2026-11-22' };
const NETWORK = { cidr: '10.42.0.0/16' };
const AWS = parseConfig({ name: 'acme-ft', cloud: 'aws', region: 'eu-west-1', network: NETWORK, gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' }] }, TODAY);
const GCP = parseConfig(
  { name: 'acme-gcp', cloud: 'gcp', region: 'us-central1', gcp: { project: 'acme-ft-prod' }, network: NETWORK, gpuPools: [{ name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' }] },
  TODAY,
);
const AZURE = parseConfig(
  {
    name: 'acme-az',
    cloud: 'azure',
    region: 'eastus',
    network: NETWORK,
    gpuPools: [
      { name: 'a100spot', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' },
      { name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2 },
    ],
  },
  TODAY,
);

const SPEC: TrainerSpec = {
  base_model: 'models/meta-llama/Llama-3.1-8B-Instruct/',
  training_file: 'files/file-train',
  method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
  adapter: { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' },
  seed: 42,
  output_dir: 'jobs/ftjob-1/output/',
};

function manifests(config: ResolvedPlatformConfig, pool: string, overrides: RunSettingsOverrides = {}): RunManifests {
  const placement = choosePlacement({ pools: config.gpuPools, model: findModel('llama-3.1-8b'), modelId: 'llama-3.1-8b', adapter: { type: 'lora', r: 16 }, requestedPool: pool });
  return buildRunManifests({ jobId: 'ftjob-1', projectId: 'p', spec: SPEC, placement, attempt: 1, preemptions: 0 }, settingsFromConfig(config, overrides));
}
const podOf = (m: RunManifests) => m.job.spec?.template;
const cloudEnvOf = (m: RunManifests) => (podOf(m)?.spec?.containers[0]?.env ?? []).filter((e) => !e.name.startsWith('VPCTUNE_') && !['HF_HUB_OFFLINE', 'PYTHONUNBUFFERED'].includes(e.name));
const specOf = (m: RunManifests) => JSON.parse(m.configMap.data?.['spec.json'] ?? '') as Record<string, unknown>;

const BASE_TOLERATIONS = [
  { key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 },
];

let schema: SchemaChecker;
beforeAll(async () => {
  schema = await loadSchemaChecker();
});

describe('trainer Jobs per cloud', () => {
  test('GIVEN an AWS spot pool WHEN a Job is built THEN the region variables, no identity pod label, no extra toleration, s3:// URIs', () => {
    // WHEN
    const m = manifests(AWS, 'a10g');
    // THEN
    expect(cloudEnvOf(m)).toEqual([
      { name: 'AWS_REGION', value: 'eu-west-1' },
      { name: 'AWS_DEFAULT_REGION', value: 'eu-west-1' },
    ]);
    expect(Object.keys(podOf(m)?.metadata?.labels ?? {}).filter((k) => k.startsWith('azure.'))).toEqual([]);
    expect(podOf(m)?.spec?.tolerations).toEqual(BASE_TOLERATIONS);
    expect(specOf(m).output_dir).toBe('s3://acme-ft-artifacts/jobs/ftjob-1/output/');
    expect(schema.problems(m.job)).toEqual([]);
  });

  test('GIVEN a GCP spot pool WHEN a Job is built THEN no cloud variables (metadata-server credentials), no extra toleration, gs:// URIs', () => {
    const m = manifests(GCP, 'a100');
    expect(cloudEnvOf(m)).toEqual([]);
    expect(podOf(m)?.spec?.tolerations).toEqual(BASE_TOLERATIONS);
    expect(specOf(m).base_model).toBe('gs://acme-gcp-artifacts/models/meta-llama/Llama-3.1-8B-Instruct/');
    expect(schema.problems(m.job)).toEqual([]);
  });

  test('GIVEN an Azure Spot pool WHEN a Job is built THEN it tolerates the AKS Spot taint, opts into workload identity, and its URIs name the account', () => {
    // GIVEN the Spot pool of an Azure platform
    // WHEN a Job is built for it
    const m = manifests(AZURE, 'a100spot');
    // THEN the AKS Spot taint is tolerated beside the GPU taint
    expect(podOf(m)?.spec?.tolerations).toEqual([
      BASE_TOLERATIONS[0],
      { key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' },
      ...BASE_TOLERATIONS.slice(1),
    ]);
    // AND the pod carries the workload identity label, needs no account variable, and reads az://ACCOUNT/CONTAINER/…
    expect(podOf(m)?.metadata?.labels?.['azure.workload.identity/use']).toBe('true');
    expect(cloudEnvOf(m)).toEqual([]);
    expect(specOf(m).output_dir).toBe('az://acmeaz/artifacts/jobs/ftjob-1/output/');
    expect(schema.problems(m.job)).toEqual([]);
  });

  test('GIVEN an Azure on-demand pool WHEN a Job is built THEN no Spot toleration', () => {
    expect(podOf(manifests(AZURE, 'a100'))?.spec?.tolerations).toEqual(BASE_TOLERATIONS);
  });

  test.each([
    ['aws', 'AWS_ENDPOINT_URL_S3', AWS, 'a10g'],
    ['gcp', 'STORAGE_EMULATOR_HOST', GCP, 'a100'],
    ['azure', 'AZURE_STORAGE_ACCOUNT_URL', AZURE, 'a100'],
  ] as const)('GIVEN %s and a storage endpoint WHEN a Job is built THEN the endpoint is in %s', (_cloud, variable, config, pool) => {
    const m = manifests(config, pool, { storageEndpoint: 'http://127.0.0.1:10000/devstoreaccount1' });
    expect(cloudEnvOf(m).filter((e) => e.name === variable)).toEqual([{ name: variable, value: 'http://127.0.0.1:10000/devstoreaccount1' }]);
  });
});

describe('run settings checked through the profile', () => {
  test('GIVEN each cloud’s default settings THEN no problems', () => {
    for (const config of [AWS, GCP, AZURE]) expect(settingsProblems(settingsFromConfig(config))).toEqual([]);
  });

  test('GIVEN a bucket of another cloud, a malformed Azure URI and a bad endpoint THEN each is named with what is allowed', () => {
    expect(settingsProblems(settingsFromConfig(AZURE, { bucketUri: 's3://acme-artifacts' }))).toEqual([
      'bucket "s3://acme-artifacts" is not a bucket URI for cloud azure; allowed: az://ACCOUNT/CONTAINER[/PREFIX]',
    ]);
    expect(settingsProblems(settingsFromConfig(AZURE, { bucketUri: 'az://artifacts' }))).toEqual([
      'bucket "az://artifacts": storage URL az://artifacts names no container; allowed: az://ACCOUNT/CONTAINER[/PREFIX]',
    ]);
    expect(settingsProblems(settingsFromConfig(GCP, { storageEndpoint: 'localhost:4443' }))).toEqual([
      'storage endpoint "localhost:4443" is not an http(s) URL; allowed: https://HOST[/PATH] (an emulator or a sovereign cloud\'s endpoint)',
    ]);
  });
});

describe('trainerStorageOf: the trainer’s bucket URI for the controller’s storage URL', () => {
  test.each([
    ['az://acmeft/artifacts/prod/', { cloud: 'azure', bucketUri: 'az://acmeft/artifacts/prod' }],
    ['s3://acme-artifacts-123/vpctune?region=eu-west-1', { cloud: 'aws', bucketUri: 's3://acme-artifacts-123/vpctune' }],
    ['gs://acme-artifacts', { cloud: 'gcp', bucketUri: 'gs://acme-artifacts' }],
  ])('GIVEN %s THEN %j', (url, want) => {
    expect(trainerStorageOf(url)).toEqual(want);
  });

  test('GIVEN local storage THEN none (trainer pods cannot read it); GIVEN an unknown scheme THEN the cloud forms are named', () => {
    expect(trainerStorageOf('/var/lib/vpctune')).toBeUndefined();
    expect(trainerStorageOf('file:///var/lib/vpctune')).toBeUndefined();
    expect(() => trainerStorageOf('ftp://host/dir')).toThrow('ftp://host/dir is not a cloud storage URL; allowed: s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX]');
  });
});
