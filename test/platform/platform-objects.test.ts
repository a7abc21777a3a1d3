import * as path from 'node:path';
import { loadConfigFile } from '../../constructs/config';
import { kueueObjects, namespaceObjects, ServiceAccount } from '../../constructs/platform';

const REPO = path.resolve(__dirname, '..', '..');
const config = loadConfigFile(path.join(REPO, 'stacks', 'examples', 'design-sketch.yaml'), { today: '2026-11-22' });

type Quota = { name: string; nominalQuota: string | number };
type Flavor = { name: string; resources: Quota[] };
const clusterQueueFlavors = (): Flavor[] =>
  ((kueueObjects(config).find((o) => o.kind === 'ClusterQueue')?.spec as { resourceGroups: { coveredResources: string[]; flavors: Flavor[] }[] }).resourceGroups[0] as { flavors: Flavor[] }).flavors;


// The executor's Jobs fitting the ClusterQueue quotas is proven on the chart's output: test/chart/chart-quotas.test.ts.
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

  test('service accounts carry their IRSA role when given', () => {
    const objects = namespaceObjects(config, { [ServiceAccount.TRAINER]: 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer' });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/vpctune', 'ServiceAccount/vpctune-controller', 'ServiceAccount/vpctune-trainer', 'ServiceAccount/vpctune-server']);
    expect((objects[2]?.metadata as { annotations?: Record<string, string> }).annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer' });
    expect((objects[1]?.metadata as { annotations?: unknown }).annotations).toBeUndefined();
  });
});
