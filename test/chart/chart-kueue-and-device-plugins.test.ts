/**
 * The Kueue objects and device plugins the chart renders (they were TypeScript builders once; the chart is now their
 * only source): one ResourceFlavor per GPU pool with its node labels, the GPU taint and the taints the cloud adds (with
 * tolerations for those: AKS Spot), one ClusterQueue with quotas from the config, the LocalQueue Jobs name; the NVIDIA
 * device plugin where the cloud profile says the platform runs it (EKS, AKS; GKE runs its own) and the EFA plugin on
 * `efa: true` pools where the profile supports EFA (AWS), both pinned.
 */
import { parseConfig } from '../../constructs/config';
import { chartValuesFromConfig } from '../../constructs/platform';
import { exampleConfigs, exampleValues, find, podSpecOf, renderChart, TODAY, type RenderedObject } from './chart-harness';

const NETWORK = { cidr: '10.42.0.0/16' };
const AZURE_SPOT = parseConfig(
  {
    name: 'acme-az',
    cloud: 'azure',
    region: 'eastus',
    network: NETWORK,
    gpuPools: [
      { name: 'a100spot', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' },
      { name: 'h100', gpu: 'H100', gpusPerNode: 8, maxNodes: 1, efa: true },
    ],
  },
  TODAY,
);
const GCP_SPOT = parseConfig(
  { name: 'acme-gcp', cloud: 'gcp', region: 'us-central1', gcp: { project: 'acme-ft-prod' }, network: NETWORK, gpuPools: [{ name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' }] },
  TODAY,
);
const example = (file: string) => exampleConfigs().find(([f]) => f === file)![1];
const GPU_TAINT = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

type Pod = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: { key: string; operator: string; values: string[] }[] }[] } } }; tolerations: unknown[]; priorityClassName: string };
const poolsOf = (o: RenderedObject): string[] => (podSpecOf(o) as unknown as Pod).affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]!.matchExpressions[0]!.values;

describe('Kueue objects', () => {
  test('GIVEN the design sketch WHEN rendered THEN one flavor per pool with its labels and the GPU taint, the ClusterQueue with the config’s quotas, the LocalQueue', async () => {
    // GIVEN
    const values = exampleValues(example('design-sketch.yaml'));
    // WHEN
    const { objects } = await renderChart(values);
    // THEN
    const kueue = objects.filter((o) => o.apiVersion === 'kueue.x-k8s.io/v1beta1').map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(kueue.sort()).toEqual(['ClusterQueue//vpctune', 'LocalQueue/vpctune/vpctune', 'ResourceFlavor//vpctune-a10g', 'ResourceFlavor//vpctune-h100']);
    expect(find(objects, 'ResourceFlavor', 'vpctune-a10g').spec).toEqual({ nodeLabels: { 'vpctune.dev/pool': 'a10g', 'vpctune.dev/gpu': 'A10G' }, nodeTaints: [GPU_TAINT] });
    // quotas: maxNodes x the shape's GPUs, and 80% of its vCPUs and memory (g5.2xlarge: 8 vCPU, 32 GiB; p5.48xlarge: 192 vCPU, 2048 GiB)
    expect(find(objects, 'ClusterQueue', 'vpctune').spec).toEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'vpctune' } },
      queueingStrategy: 'BestEffortFIFO',
      resourceGroups: [
        {
          coveredResources: ['cpu', 'memory', 'nvidia.com/gpu'],
          flavors: [
            { name: 'vpctune-a10g', resources: [{ name: 'cpu', nominalQuota: '25600m' }, { name: 'memory', nominalQuota: '104857Mi' }, { name: 'nvidia.com/gpu', nominalQuota: 4 }] },
            { name: 'vpctune-h100', resources: [{ name: 'cpu', nominalQuota: '307200m' }, { name: 'memory', nominalQuota: '3355443Mi' }, { name: 'nvidia.com/gpu', nominalQuota: 16 }] },
          ],
        },
      ],
    });
    expect(find(objects, 'LocalQueue', 'vpctune').spec).toEqual({ clusterQueue: 'vpctune' });
  });

  test('GIVEN an AKS Spot pool WHEN rendered THEN its flavor lists the Spot taint and tolerates it; the on-demand pool’s has only the GPU taint', async () => {
    // WHEN
    const { objects } = await renderChart(chartValuesFromConfig(AZURE_SPOT));
    // THEN
    expect(find(objects, 'ResourceFlavor', 'vpctune-a100spot').spec).toEqual({
      nodeLabels: { 'vpctune.dev/pool': 'a100spot', 'vpctune.dev/gpu': 'A100-80GB' },
      nodeTaints: [GPU_TAINT, { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' }],
      tolerations: [{ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }],
    });
    expect(find(objects, 'ResourceFlavor', 'vpctune-h100').spec).toEqual({ nodeLabels: { 'vpctune.dev/pool': 'h100', 'vpctune.dev/gpu': 'H100' }, nodeTaints: [GPU_TAINT] });
  });

  test('GIVEN a GKE Spot pool WHEN rendered THEN no added taint (the platform taints GPU nodes itself)', async () => {
    const { objects } = await renderChart(chartValuesFromConfig(GCP_SPOT));
    expect(find(objects, 'ResourceFlavor', 'vpctune-a100').spec).toEqual({ nodeLabels: { 'vpctune.dev/pool': 'a100', 'vpctune.dev/gpu': 'A100-80GB' }, nodeTaints: [GPU_TAINT] });
  });
});

describe('device plugins per cloud', () => {
  test.each([
    ['aws-all-gpus.yaml', ['aws-efa-k8s-device-plugin', 'nvidia-device-plugin']],
    ['design-sketch.yaml', ['nvidia-device-plugin']],
    ['gcp-a100.yaml', []],
    ['azure-a100.yaml', ['nvidia-device-plugin']],
  ] as const)('GIVEN %s WHEN rendered THEN the DaemonSets are %j', async (file, names) => {
    // WHEN
    const { objects } = await renderChart(exampleValues(example(file)));
    // THEN NVIDIA where the platform runs it (not GKE), EFA only on efa pools where the profile supports it (AWS)
    expect(objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name).sort()).toEqual(names);
  });

  test('GIVEN an Azure pool with efa: true WHEN rendered THEN no EFA plugin (Azure’s InfiniBand is not EFA)', async () => {
    const { objects } = await renderChart(chartValuesFromConfig(AZURE_SPOT));
    expect(objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name)).toEqual(['nvidia-device-plugin']);
  });

  test('GIVEN the AWS example with every GPU WHEN rendered THEN NVIDIA on every pool, EFA on the three efa pools, pinned images, the GPU taint tolerated', async () => {
    // GIVEN
    const config = example('aws-all-gpus.yaml');
    // WHEN
    const { objects } = await renderChart(exampleValues(config));
    // THEN
    const nvidia = find(objects, 'DaemonSet', 'nvidia-device-plugin');
    const efa = find(objects, 'DaemonSet', 'aws-efa-k8s-device-plugin');
    expect([nvidia.metadata.namespace, efa.metadata.namespace]).toEqual(['kube-system', 'kube-system']);
    expect(poolsOf(nvidia)).toEqual(config.gpuPools.map((p) => p.name));
    expect(poolsOf(efa)).toEqual(['a100-40', 'a100-80', 'h100']);
    expect([podSpecOf(nvidia)!.containers[0]!.image, podSpecOf(efa)!.containers[0]!.image]).toEqual([
      'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
      '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.8',
    ]);
    for (const ds of [nvidia, efa]) {
      const pod = podSpecOf(ds) as unknown as Pod;
      expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
      expect(pod.priorityClassName).toBe('system-node-critical');
    }
    expect(podSpecOf(nvidia)!.containers[0]!.env).toEqual([{ name: 'FAIL_ON_INIT_ERROR', value: 'false' }]);
  });
});
