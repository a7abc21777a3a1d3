/**
 * The ClusterQueue the chart creates admits a pool full of the controller's own per-job Jobs (built by the executor's
 * manifest builder): otherwise Kueue would never admit the last node's Job. Quotas cover cpu, memory and GPUs.
 */
import { cloudProfile, KUEUE_QUEUE_LABEL } from '../../constructs/platform';
import { buildRunManifests } from '../../images/controller/src/executor/kubernetes/manifests';
import { settingsFromConfig } from '../../images/controller/src/executor/kubernetes/settings';
import { exampleConfigs, exampleValues, find, renderChart } from './chart-harness';

type Quota = { name: string; nominalQuota: string | number };
type Flavor = { name: string; resources: Quota[] };

const milli = (q: string): number => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const mebi = (q: string): number => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));

describe.each(exampleConfigs())('the ClusterQueue of %s', (_file, config) => {
  test('GIVEN maxNodes whole-node Jobs per pool from the executor WHEN held against the chart’s quotas THEN they fit, GPUs exactly', async () => {
    // GIVEN
    const { objects } = await renderChart(exampleValues(config));
    const queue = find(objects, 'ClusterQueue', 'vpctune').spec as { resourceGroups: { coveredResources: string[]; flavors: Flavor[] }[] };
    expect(queue.resourceGroups[0]?.coveredResources).toEqual(['cpu', 'memory', 'nvidia.com/gpu']);
    const settings = settingsFromConfig(config, { bucketUri: `${cloudProfile(config.cloud).storage.scheme}://acme-artifacts`, trainerImage: 'acme/trainer:0.1.0' });
    for (const pool of settings.pools) {
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
      // WHEN
      expect(m.job.metadata?.labels?.[KUEUE_QUEUE_LABEL]).toBe('vpctune');
      const requests = m.job.spec?.template.spec?.containers[0]?.resources?.requests as Record<string, string>;
      const flavor = queue.resourceGroups[0]!.flavors.find((f) => f.name === `vpctune-${pool.name}`)!;
      const quota = Object.fromEntries(flavor.resources.map((r) => [r.name, r.nominalQuota]));
      // THEN
      expect(milli(requests['cpu'] as string) * pool.maxNodes).toBeLessThanOrEqual(milli(quota['cpu'] as string));
      expect(mebi(requests['memory'] as string) * pool.maxNodes).toBeLessThanOrEqual(mebi(quota['memory'] as string));
      expect(Number(requests['nvidia.com/gpu']) * pool.maxNodes).toBe(quota['nvidia.com/gpu']);
    }
  });
});
