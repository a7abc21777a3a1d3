/**
 * The security properties of every container the chart renders, for every example's values and for every option on:
 * non-root, read-only root filesystem, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp,
 * resources requested. The device plugins are the only exception (root for the kubelet's device-plugin socket on a
 * hostPath), and the exception is asserted to be exactly theirs.
 */
import { allOptionsValues } from './all-options';
import { exampleConfigs, exampleValues, podSpecOf, renderChart, type Container, type PodSpec, type RenderedObject } from './chart-harness';

/** Workloads allowed to run as root with a writable root filesystem and a hostPath: the device plugins, nothing else. */
const DEVICE_PLUGINS = ['nvidia-device-plugin', 'aws-efa-k8s-device-plugin'];

/** Every security problem of one container in its pod, as `workload/container: problem`. */
function problems(workload: RenderedObject, pod: PodSpec, c: Container): string[] {
  const where = `${workload.kind}/${workload.metadata.name}/${c.name}`;
  const sc = c.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  const out: string[] = [];
  const devicePlugin = workload.kind === 'DaemonSet' && DEVICE_PLUGINS.includes(workload.metadata.name);
  if (sc['allowPrivilegeEscalation'] !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
  if (JSON.stringify((sc['capabilities'] as { drop?: string[] } | undefined)?.drop) !== '["ALL"]') out.push(`${where}: capabilities do not drop ALL`);
  if (sc['privileged'] === true) out.push(`${where}: privileged`);
  const seccomp = (sc['seccompProfile'] ?? podSc['seccompProfile']) as { type?: string } | undefined;
  if (seccomp?.type !== 'RuntimeDefault') out.push(`${where}: seccomp is not RuntimeDefault`);
  if (c.resources?.requests?.['cpu'] === undefined || c.resources.requests['memory'] === undefined) out.push(`${where}: no cpu and memory requests`);
  if (!devicePlugin) {
    if (sc['runAsNonRoot'] !== true && podSc['runAsNonRoot'] !== true) out.push(`${where}: runAsNonRoot is not true`);
    if (sc['readOnlyRootFilesystem'] !== true) out.push(`${where}: readOnlyRootFilesystem is not true`);
    if (c.resources?.limits?.['memory'] === undefined) out.push(`${where}: no memory limit`);
    if ((pod.volumes ?? []).some((v) => v['hostPath'] !== undefined)) out.push(`${where}: mounts a hostPath`);
  }
  return out;
}

const valueSets: Array<[string, () => Record<string, unknown>]> = [
  ...exampleConfigs().map(([file, config]) => [file, () => exampleValues(config)] as [string, () => Record<string, unknown>]),
  ['every option on', allOptionsValues],
];

describe.each(valueSets)('the containers rendered for %s', (_name, values) => {
  test('WHEN rendered THEN every container is restricted, the device plugins’ root and hostPath being the only exceptions', async () => {
    // WHEN
    const { objects } = await renderChart(values());
    // THEN
    const workloads = objects.filter((o) => podSpecOf(o) !== undefined);
    expect(workloads.map((w) => w.metadata.name)).toContain('vpctune-controller');
    expect(workloads.flatMap((w) => podSpecOf(w)!.containers.flatMap((c) => problems(w, podSpecOf(w)!, c)))).toEqual([]);
    // the exception is exactly the device plugins': they alone run without runAsNonRoot and mount the kubelet's directory
    const exceptions = workloads.filter((w) => podSpecOf(w)!.containers.some((c) => c.securityContext?.['runAsNonRoot'] !== true && podSpecOf(w)!.securityContext?.['runAsNonRoot'] !== true));
    for (const w of exceptions) {
      expect(DEVICE_PLUGINS).toContain(w.metadata.name);
      expect(podSpecOf(w)!.volumes).toEqual([{ name: 'device-plugin', hostPath: { path: '/var/lib/kubelet/device-plugins' } }]);
    }
  });
});

test('GIVEN a container that breaks each property WHEN checked THEN each problem is named (the check can fail)', () => {
  // GIVEN
  const workload = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bad' } } as RenderedObject;
  const pod: PodSpec = { containers: [], volumes: [{ name: 'h', hostPath: { path: '/' } }] };
  const c: Container = { name: 'c', image: 'x:1', securityContext: { privileged: true, capabilities: { drop: ['NET_RAW'] } } };
  // WHEN / THEN
  expect(problems(workload, pod, c)).toEqual([
    'Deployment/bad/c: allowPrivilegeEscalation is not false',
    'Deployment/bad/c: capabilities do not drop ALL',
    'Deployment/bad/c: privileged',
    'Deployment/bad/c: seccomp is not RuntimeDefault',
    'Deployment/bad/c: no cpu and memory requests',
    'Deployment/bad/c: runAsNonRoot is not true',
    'Deployment/bad/c: readOnlyRootFilesystem is not true',
    'Deployment/bad/c: no memory limit',
    'Deployment/bad/c: mounts a hostPath',
  ]);
});
