/**
 * Device plugin DaemonSets of `vpctune platform render`: without the NVIDIA plugin no `nvidia.com/gpu` exists on an
 * EKS (AL2023 NVIDIA AMI) or AKS node and no training pod schedules; without the EFA plugin no pod gets EFA devices.
 */
import * as path from 'node:path';
import { loadConfigFile } from '../../constructs/config';
import { devicePluginObjects, EFA_DEVICE_PLUGIN, NVIDIA_DEVICE_PLUGIN } from '../../constructs/platform';
import { loadSchemaChecker } from '../../images/controller/test/kubernetes/k8s-schema';

const REPO = path.resolve(__dirname, '..', '..');
const load = (example: string) => loadConfigFile(path.join(REPO, 'stacks', 'examples', example), { today: '2026-11-22' });
type Pod = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: { key: string; operator: string; values: string[] }[] }[] } } }; tolerations: unknown[]; containers: { image: string }[]; priorityClassName: string };
const podOf = (o: { spec?: unknown }): Pod => (o.spec as { template: { spec: Pod } }).template.spec;

test('GIVEN the AWS example with every GPU WHEN device plugins are built THEN the NVIDIA plugin covers every pool and the EFA plugin the three efa pools, both schema-valid', async () => {
  const config = load('aws-all-gpus.yaml');
  const objects = devicePluginObjects(config);
  expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['DaemonSet/kube-system/nvidia-device-plugin', 'DaemonSet/kube-system/aws-efa-k8s-device-plugin']);
  const [nvidia, efa] = objects.map(podOf) as [Pod, Pod];
  expect(nvidia.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: 'vpctune.dev/pool', operator: 'In', values: config.gpuPools.map((p) => p.name) }] }]);
  expect(efa.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]?.matchExpressions[0]?.values).toEqual(['a100-40', 'a100-80', 'h100']);
  expect(nvidia.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  expect([nvidia.containers[0]?.image, efa.containers[0]?.image]).toEqual([NVIDIA_DEVICE_PLUGIN.image, EFA_DEVICE_PLUGIN.image]);
  expect(nvidia.priorityClassName).toBe('system-node-critical');
  const checker = await loadSchemaChecker();
  for (const o of objects) expect({ name: o.metadata.name, problems: checker.problems(o as never) }).toEqual({ name: o.metadata.name, problems: [] });
});

test('GIVEN an AWS config without efa pools THEN only the NVIDIA plugin', () => {
  expect(devicePluginObjects(load('design-sketch.yaml')).map((o) => o.metadata.name)).toEqual(['nvidia-device-plugin']);
});

test('GIVEN GCP THEN none (GKE installs and manages its own device plugin); GIVEN Azure THEN the NVIDIA plugin (AKS does not)', () => {
  expect(devicePluginObjects(load('gcp-a100.yaml'))).toEqual([]);
  expect(devicePluginObjects(load('azure-a100.yaml')).map((o) => o.metadata.name)).toEqual(['nvidia-device-plugin']);
});

test('every image is pinned to a version tag, never latest', () => {
  for (const { image } of [NVIDIA_DEVICE_PLUGIN, EFA_DEVICE_PLUGIN]) expect(image).toMatch(/:v\d+\.\d+\.\d+$/);
});
