import * as path from 'node:path';
import { loadConfigFile } from '../../constructs/config';
import { KUEUE_QUEUE_LABEL, kueueObjects, namespaceObjects, ServiceAccount } from '../../constructs/platform';
import { buildRunManifests } from '../../images/controller/src/executor/kubernetes/manifests';
import { settingsFromConfig } from '../../images/controller/src/executor/kubernetes/settings';

const REPO = path.resolve(__dirname, '..', '..');
const config = loadConfigFile(path.join(REPO, 'stacks', 'examples', 'design-sketch.yaml'), { today: '2026-11-22' });

type Quota = { name: string; nominalQuota: string | number };
type Flavor = { name: string; resources: Quota[] };
const clusterQueueFlavors = (): Flavor[] =>
  ((kueueObjects(config).find((o) => o.kind === 'ClusterQueue')?.spec as { resourceGroups: { coveredResources: string[]; flavors: Flavor[] }[] }).resourceGroups[0] as { flavors: Flavor[] }).flavors;

const milli = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const mebi = (q: string): number => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));

describe('in-cluster platform objects', () => {
  test('GIVEN the sketch config WHEN Kueue objects are built THEN one flavor per pool with its labels and taint, one ClusterQueue, one LocalQueue', () => {
    const objects = kueueObjects(config);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ResourceFlavor/vpctune-a10g', 'ResourceFlavor/vpctune-h100', 'ClusterQueue/vpctune', 'LocalQueue/vpctune']);
    expect(objects[0]?.spec).toEqual({
      nodeLabels: { 'vpctune.dev/pool': 'a10g', 'vpctune.dev/gpu': 'A10G' },
      nodeTaints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    });
    expect(objects[3]).toMatchObject({ metadata: { namespace: 'vpctune' }, spec: { clusterQueue: 'vpctune' } });
  });

  test('quotas come from the config: maxNodes x the shape GPUs, and 80% of its vCPUs and memory', () => {
    expect(clusterQueueFlavors()).toEqual([
      { name: 'vpctune-a10g', resources: [{ name: 'cpu', nominalQuota: '25600m' }, { name: 'memory', nominalQuota: '104857Mi' }, { name: 'nvidia.com/gpu', nominalQuota: 4 }] },
      { name: 'vpctune-h100', resources: [{ name: 'cpu', nominalQuota: '307200m' }, { name: 'memory', nominalQuota: '3355443Mi' }, { name: 'nvidia.com/gpu', nominalQuota: 16 }] },
    ]);
  });

  test('a pool full of the executor’s own Jobs fits its quota (Kueue would otherwise never admit the last node)', () => {
    const settings = settingsFromConfig(config, { bucketUri: 's3://acme-artifacts', trainerImage: 'acme/trainer:0.1.0' });
    for (const pool of settings.pools) {
      // GIVEN maxNodes single-node jobs, each taking a whole node of the pool, built by the executor's manifest builder
      const m = buildRunManifests(
        {
          jobId: 'ftjob-abc',
          projectId: 'p',
          spec: { base_model: 'models/m/', training_file: 'files/f', method: { type: 'supervised' }, adapter: { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' }, seed: 1, output_dir: 'jobs/ftjob-abc/output/' } as never,
          placement: { pool, nodes: 1, gpusPerPod: pool.sku.gpuCount, reason: 'test' },
          attempt: 1,
          preemptions: 0,
        },
        settings,
      );
      expect(m.job.metadata?.labels?.[KUEUE_QUEUE_LABEL]).toBe('vpctune');
      const requests = m.job.spec?.template.spec?.containers[0]?.resources?.requests as Record<string, string>;
      const quota = Object.fromEntries((clusterQueueFlavors().find((f) => f.name === `vpctune-${pool.name}`) as Flavor).resources.map((r) => [r.name, r.nominalQuota]));
      // THEN maxNodes of them fit every quota
      expect(milli(requests['cpu'] as string) * pool.maxNodes).toBeLessThanOrEqual(milli(quota['cpu'] as string));
      expect(mebi(requests['memory'] as string) * pool.maxNodes).toBeLessThanOrEqual(mebi(quota['memory'] as string));
      expect(Number(requests['nvidia.com/gpu']) * pool.maxNodes).toBe(quota['nvidia.com/gpu']);
    }
  });

  test('service accounts carry their IRSA role when given', () => {
    const objects = namespaceObjects(config, { [ServiceAccount.TRAINER]: 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer' });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/vpctune', 'ServiceAccount/vpctune-controller', 'ServiceAccount/vpctune-trainer', 'ServiceAccount/vpctune-server']);
    expect((objects[2]?.metadata as { annotations?: Record<string, string> }).annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer' });
    expect((objects[1]?.metadata as { annotations?: unknown }).annotations).toBeUndefined();
  });
});
