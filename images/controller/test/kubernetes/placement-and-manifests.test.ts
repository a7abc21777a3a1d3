/**
 * Pool choice and the manifests the Kubernetes executor builds, checked field by field and against the Kubernetes
 * schemas of kubernetes-models and @kubernetes/client-node (see k8s-schema.ts). Pure: no server.
 */
import * as path from 'node:path';
import { loadConfigFile } from '../../../../constructs/config';
import { findModel } from '../../../../constructs/estimate';
import type { TrainerSpec } from '../../src/executor/trainer-contract';
import { buildRunManifests } from '../../src/executor/kubernetes/manifests';
import { jobBaseName, labelValue, objectNames } from '../../src/executor/kubernetes/names';
import { choosePlacement, PlacementError, type Placement } from '../../src/executor/kubernetes/placement';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import { loadSchemaChecker, type SchemaChecker } from './k8s-schema';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'kubernetes');
const aws = loadConfigFile(path.join(FIXTURES, 'platform-aws.yaml'));
const gcp = loadConfigFile(path.join(FIXTURES, 'platform-gcp.yaml'));
const azure = loadConfigFile(path.join(FIXTURES, 'platform-azure.yaml'));

const LORA = { type: 'lora', r: 16 } as const;
const FULL = { type: 'full', r: 16 } as const;
const QLORA = { type: 'qlora', r: 16 } as const;

function place(model: string, adapter: { type: 'lora' | 'qlora' | 'full'; r: number }, requestedPool?: string, pools = aws.gpuPools): Placement {
  return choosePlacement({ pools, model: findModel(model), modelId: model, adapter, ...(requestedPool !== undefined ? { requestedPool } : {}) });
}

function spec(jobId: string, adapter: TrainerSpec['adapter'] = { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' }): TrainerSpec {
  return {
    base_model: 'models/meta-llama/Llama-3.1-8B-Instruct/',
    training_file: 'files/file-train',
    method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
    adapter,
    seed: 42,
    output_dir: `jobs/${jobId}/output/`,
  };
}

let schema: SchemaChecker;
beforeAll(async () => {
  schema = await loadSchemaChecker();
});

describe('pool choice', () => {
  test('the smallest pool that holds the job on one node', () => {
    // GIVEN pools a10g (1x A10G 24 GiB, spot), l40s-x4 (4x L40S 48 GiB), h100 (8x H100 80 GiB)
    // WHEN a LoRA job of an 8B model is placed
    const p = place('llama-3.1-8b', LORA);
    // THEN it lands on one A10G: LoRA runs data parallel, so one GPU must hold the frozen model
    expect([p.pool.name, p.nodes, p.gpusPerPod]).toEqual(['a10g', 1, 1]);
    expect(p.reason).toBe('llama-3.1-8b LoRA rank 16 needs 1 A10G GPU: pool a10g (the smallest pool that holds it), 1 GPU on one node.');
  });

  test('full fine-tuning shards over the GPUs of the smallest node that holds it', () => {
    const p = place('llama-3.1-8b', FULL);
    expect([p.pool.name, p.nodes, p.gpusPerPod]).toEqual(['l40s-x4', 1, 4]);
  });

  test('a job no node holds spans whole nodes of the pool with the fewest nodes', () => {
    // WHEN a 70B model is fully fine-tuned
    const p = place('llama-3.1-70b', FULL);
    // THEN 17 H100s are needed: 3 nodes x 8 GPUs (every node runs as many processes)
    expect([p.pool.name, p.nodes, p.gpusPerPod]).toEqual(['h100', 3, 8]);
    expect(p.reason).toBe('llama-3.1-70b full fine-tuning needs 17 H100 GPUs: pool h100 (no pool holds it on one node; the fewest nodes), 3 nodes x 8 GPUs.');
  });

  test('the pool named in adapter.pool wins when it holds the job', () => {
    const p = place('llama-3.1-8b', LORA, 'h100');
    expect([p.pool.name, p.nodes, p.gpusPerPod]).toEqual(['h100', 1, 1]);
    expect(p.reason).toBe('llama-3.1-8b LoRA rank 16 needs 1 H100 GPU: pool h100 (named in the request), 1 GPU on one node.');
  });

  test('a model the estimator does not know goes to the smallest pool, and says so', () => {
    const p = place('vpctune/tiny-chat', QLORA);
    expect([p.pool.name, p.nodes, p.gpusPerPod]).toEqual(['a10g', 1, 1]);
    expect(p.reason).toBe("vpctune/tiny-chat QLoRA rank 16: no memory estimate (the model is not in the estimator's catalog); pool a10g (the smallest pool), 1 GPU on one node.");
  });

  test.each([
    ['llama-3.1-8b', LORA, 'h200', 'adapter.pool', `Invalid 'adapter.pool': "h200" is not a GPU pool of this platform; allowed: a10g, l40s-x4, h100.`],
    ['llama-3.1-70b', FULL, 'a10g', 'adapter.pool', `Invalid 'adapter.pool': "a10g" (1x A10G 24 GiB per node, at most 4 nodes) cannot hold llama-3.1-70b full fine-tuning; pools that can: h100.`],
    [
      'llama-3.1-70b',
      LORA,
      undefined,
      'model',
      "Invalid 'model': no GPU pool of this platform can hold llama-3.1-70b LoRA rank 16 (pools: a10g: 1x A10G 24 GiB per node, at most 4 nodes; l40s-x4: 4x L40S 48 GiB per node, at most 2 nodes; h100: 8x H100 80 GiB per node, at most 4 nodes); add a pool with more GPU memory or use qlora.",
    ],
  ] as const)('%s %o on %s is refused naming %s', (model, adapter, pool, param, message) => {
    // WHEN the job cannot be placed THEN the error names the field, the value and what is allowed
    let err: unknown;
    try {
      place(model, adapter, pool);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PlacementError);
    expect((err as PlacementError).param).toBe(param);
    expect((err as PlacementError).message).toBe(message);
  });
});

describe('names and labels', () => {
  test('job ids differing only in case get different, valid, deterministic names', () => {
    const a = objectNames('ftjob-aBcD', 1).job;
    const b = objectNames('ftjob-AbCd', 1).job;
    expect(a).not.toBe(b);
    expect(a).toMatch(/^ftjob-abcd-[0-9a-f]{8}-a1$/);
    expect(objectNames('ftjob-aBcD', 1).job).toBe(a);
    // An Indexed Job's pod hostname `<job>-<index>` must stay a DNS label (≤ 63 characters) for a 24-character id.
    expect(`${objectNames(`ftjob-${'X'.repeat(24)}`, 999).job}-15`.length).toBeLessThanOrEqual(63);
  });

  test('a project id that is not a label value is hashed in the label, kept in an annotation', () => {
    expect(labelValue('team-a')).toBe('team-a');
    expect(labelValue('team_')).toMatch(/^h-[0-9a-f]{40}$/);
    expect(jobBaseName('9job')).toMatch(/^j-9job-[0-9a-f]{8}$/);
  });
});

describe('manifests', () => {
  test('one node: a suspended Job for Kueue on the pool, GPU request, taint toleration, trainer service account, spec ConfigMap', () => {
    // GIVEN the AWS platform and a LoRA job placed on the a10g spot pool
    const settings = settingsFromConfig(aws, { bucketUri: 's3://acme-artifacts-1', trainerImage: '1234.dkr.ecr.us-east-1.amazonaws.com/acme-ft/trainer:0.1.0' });
    const placement = place('llama-3.1-8b', LORA);
    // WHEN the manifests are built
    const m = buildRunManifests({ jobId: 'ftjob-One', projectId: 'team-a', spec: spec('ftjob-One'), placement, attempt: 1, preemptions: 0 }, settings);
    // THEN they validate against the Kubernetes schemas
    expect(schema.problems(m.job)).toEqual([]);
    expect(schema.problems(m.configMap)).toEqual([]);
    expect(m.service).toBeUndefined();
    const job = m.job;
    const pod = job.spec?.template.spec;
    const trainer = pod?.containers[0];
    expect(job.metadata?.labels).toMatchObject({ 'vpctune.dev/job-id': 'ftjob-One', 'vpctune.dev/project': 'team-a', 'kueue.x-k8s.io/queue-name': 'vpctune', 'vpctune.dev/pool': 'a10g' });
    expect(job.spec).toMatchObject({ suspend: true, backoffLimit: 0, ttlSecondsAfterFinished: 86400, completions: 1, parallelism: 1 });
    expect(job.spec?.completionMode).toBeUndefined();
    expect(job.spec?.activeDeadlineSeconds).toBeUndefined();
    expect(pod?.serviceAccountName).toBe('vpctune-trainer');
    expect(pod?.nodeSelector).toEqual({ 'vpctune.dev/pool': 'a10g' });
    expect(pod?.tolerations?.[0]).toEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present', effect: 'NoSchedule' });
    expect(pod?.terminationGracePeriodSeconds).toBe(300);
    expect(trainer?.resources?.requests?.['nvidia.com/gpu']).toBe('1');
    expect(trainer?.resources?.limits?.['nvidia.com/gpu']).toBe('1');
    expect(trainer?.args).toEqual(['launch', '--spec', '/etc/vpctune/spec.json', '--nproc-per-node', '1']);
    // g5.2xlarge has 450 GB of NVMe: the scratch volume gets 90% of it
    expect(pod?.volumes?.find((v) => v.name === 'scratch')?.emptyDir).toEqual({ sizeLimit: '405G' });
    expect(trainer?.env?.find((e) => e.name === 'MASTER_ADDR')).toBeUndefined();
    // The trainer reads bucket URIs; a spot pool adds step checkpoints
    expect(JSON.parse(m.configMap.data?.['spec.json'] ?? '')).toMatchObject({
      base_model: 's3://acme-artifacts-1/models/meta-llama/Llama-3.1-8B-Instruct/',
      training_file: 's3://acme-artifacts-1/files/file-train',
      output_dir: 's3://acme-artifacts-1/jobs/ftjob-One/output/',
      checkpoint_steps: 100,
    });
  });

  test('several nodes: an Indexed Job and a headless Service carry the torchrun rendezvous', () => {
    const settings = settingsFromConfig(aws, { activeDeadlineSeconds: 86_400 });
    const placement = place('llama-3.1-70b', FULL);
    const m = buildRunManifests({ jobId: 'ftjob-Multi', projectId: 'p', spec: spec('ftjob-Multi', { type: 'full', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' }), placement, attempt: 1, preemptions: 0 }, settings);
    expect(schema.problems(m.job)).toEqual([]);
    expect(schema.problems(m.configMap)).toEqual([]);
    expect(schema.problems(m.service ?? {})).toEqual([]);
    const name = objectNames('ftjob-Multi', 1).job;
    expect(m.job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3, activeDeadlineSeconds: 86_400 });
    expect(m.job.spec?.template.spec?.subdomain).toBe(name);
    expect(m.service?.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'rendezvous', port: 29500, targetPort: 29500, protocol: 'TCP' }] });
    const env = m.job.spec?.template.spec?.containers[0]?.env ?? [];
    expect(env.filter((e) => ['NNODES', 'NODE_RANK', 'MASTER_ADDR', 'MASTER_PORT'].includes(e.name))).toEqual([
      { name: 'NNODES', value: '3' },
      { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
      { name: 'MASTER_ADDR', value: `${name}-0.${name}` },
      { name: 'MASTER_PORT', value: '29500' },
    ]);
    expect(m.job.spec?.template.spec?.containers[0]?.resources?.requests?.['nvidia.com/gpu']).toBe('8');
    // on-demand pool: no extra step checkpoints
    expect(JSON.parse(m.configMap.data?.['spec.json'] ?? '')).not.toHaveProperty('checkpoint_steps');
  });

  test('owned objects, the pool extension stripped, GCP and Azure specifics', () => {
    // GIVEN a GCP platform, a spec whose adapter still carries the pool extension, and the created Job as owner
    const placement = place('llama-3.1-8b', LORA, undefined, gcp.gpuPools);
    const withPool = spec('ftjob-G', { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear', pool: 'a100' } as TrainerSpec['adapter']);
    const g = buildRunManifests({ jobId: 'ftjob-G', projectId: 'p', spec: withPool, placement, attempt: 2, preemptions: 1, owner: { name: 'ftjob-g-x-a2', uid: 'u-1' } }, settingsFromConfig(gcp));
    expect(schema.problems(g.job)).toEqual([]);
    expect(schema.problems(g.configMap)).toEqual([]);
    expect(g.configMap.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'Job', name: 'ftjob-g-x-a2', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
    expect(JSON.parse(g.configMap.data?.['spec.json'] ?? '').adapter).toEqual({ type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' });
    expect(JSON.parse(g.configMap.data?.['spec.json'] ?? '').base_model).toBe('gs://acme-gcp-artifacts/models/meta-llama/Llama-3.1-8B-Instruct/');
    expect(g.job.metadata?.annotations?.['vpctune.dev/preemptions']).toBe('1');
    expect(g.job.metadata?.labels?.['vpctune.dev/attempt']).toBe('2');
    // AND on Azure the pod opts into workload identity and its URIs name the storage account (az://ACCOUNT/CONTAINER/…)
    const a = buildRunManifests({ jobId: 'ftjob-A', projectId: 'p', spec: spec('ftjob-A'), placement: place('llama-3.1-8b', LORA, undefined, azure.gpuPools), attempt: 1, preemptions: 0 }, settingsFromConfig(azure));
    expect(schema.problems(a.job)).toEqual([]);
    expect(a.job.spec?.template.metadata?.labels?.['azure.workload.identity/use']).toBe('true');
    expect(a.job.spec?.template.spec?.containers[0]?.env?.map((e) => e.name)).not.toContain('AZURE_STORAGE_ACCOUNT_URL');
    expect(JSON.parse(a.configMap.data?.['spec.json'] ?? '').output_dir).toBe('az://acmeaz/artifacts/jobs/ftjob-A/output/');
  });

  test('the schema check itself catches a misspelt field and a bad enum', () => {
    // GIVEN a valid Job with two mistakes an apiserver would reject
    const m = buildRunManifests({ jobId: 'ftjob-X', projectId: 'p', spec: spec('ftjob-X'), placement: place('llama-3.1-8b', LORA), attempt: 1, preemptions: 0 }, settingsFromConfig(aws));
    const bad = JSON.parse(JSON.stringify(m.job));
    bad.spec.completionMode = 'Parallel';
    bad.spec.template.spec.tolerations[0].tolerationSecond = 5;
    // THEN both are reported
    expect(schema.problems(bad)).toEqual([
      'schema: data/spec/completionMode must be equal to one of the allowed values',
      'Job.spec.template.spec.tolerations[0].tolerationSecond: not a field of V1Toleration',
    ]);
  });
});
