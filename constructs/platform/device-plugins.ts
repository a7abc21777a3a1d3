import { Interconnect, Source } from '../catalog';
import type { ResolvedPlatformConfig } from '../config';
import { cloudProfile } from './cloud-profiles';
import { GPU_TAINT, POOL_LABEL } from './conventions';
import type { KubernetesObject } from './kueue';

/** A device plugin image, pinned, with where its deployment comes from. */
export interface DevicePluginImage {
  readonly image: string;
  readonly source: Source;
}

/**
 * The NVIDIA device plugin advertises `nvidia.com/gpu` on a node; without it no GPU pod schedules. EKS (AL2023 NVIDIA
 * AMI) and AKS nodes come with the driver but not the plugin; GKE installs and manages its own, so none is rendered for
 * GCP. Deployment as in the project's static manifest (`deployments/static/nvidia-device-plugin.yml`).
 */
export const NVIDIA_DEVICE_PLUGIN: DevicePluginImage = {
  image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
  source: { url: 'https://github.com/NVIDIA/k8s-device-plugin/blob/v0.17.1/deployments/static/nvidia-device-plugin.yml', asOf: '2025-10-01' },
};

/**
 * The AWS EFA device plugin advertises `vpc.amazonaws.com/efa` (one per EFA interface) on EFA nodes; a pod gets the
 * EFA devices only by requesting it. Image and settings as in the eks-charts `aws-efa-k8s-device-plugin` chart; the
 * image lives in EKS's us-west-2 ECR, which every region's nodes reach through the NAT gateway.
 */
export const EFA_DEVICE_PLUGIN: DevicePluginImage = {
  image: '602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/aws-efa-k8s-device-plugin:v0.5.8',
  source: { url: 'https://github.com/aws/eks-charts/tree/master/stable/aws-efa-k8s-device-plugin', asOf: '2025-10-01' },
};

const DEVICE_PLUGIN_DIR = '/var/lib/kubelet/device-plugins';

function daemonSet(config: ResolvedPlatformConfig, name: string, image: string, pools: readonly string[], env: readonly { name: string; value: string }[]): KubernetesObject {
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'vpctune', 'vpctune.dev/platform': config.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system', labels },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: 'system-node-critical',
          // only on the platform's own GPU pools (by their pool label), whose nodes carry the GPU taint
          affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [...pools] }] }] } } },
          tolerations: [
            { key: GPU_TAINT.key, operator: 'Exists', effect: GPU_TAINT.effect },
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
          ],
          containers: [
            {
              name,
              image,
              ...(env.length > 0 ? { env: [...env] } : {}),
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              resources: { requests: { cpu: '10m', memory: '20Mi' } },
              volumeMounts: [{ name: 'device-plugin', mountPath: DEVICE_PLUGIN_DIR }],
            },
          ],
          volumes: [{ name: 'device-plugin', hostPath: { path: DEVICE_PLUGIN_DIR } }],
        },
      },
    },
  };
}

/** Pools whose nodes get EFA devices: `efa: true` on an EFA shape (AWS). */
export function efaPools(config: ResolvedPlatformConfig): ResolvedPlatformConfig['gpuPools'] {
  return config.gpuPools.filter((p) => p.efa && p.sku.interconnect === Interconnect.EFA);
}

/**
 * Device plugin DaemonSets the platform's GPU pools need: the NVIDIA plugin on every GPU pool where the cloud's profile
 * says the platform runs it (`runsNvidiaDevicePlugin`: AWS and Azure; GKE runs its own), and the EFA plugin on the
 * pools with `efa: true` where the profile `supportsEfa` (AWS). Rendered by `vpctune platform render`.
 */
export function devicePluginObjects(config: ResolvedPlatformConfig): KubernetesObject[] {
  const profile = cloudProfile(config.cloud);
  const out: KubernetesObject[] = [];
  if (profile.runsNvidiaDevicePlugin && config.gpuPools.length > 0) {
    out.push(daemonSet(config, 'nvidia-device-plugin', NVIDIA_DEVICE_PLUGIN.image, config.gpuPools.map((p) => p.name), [{ name: 'FAIL_ON_INIT_ERROR', value: 'false' }]));
  }
  const efa = efaPools(config);
  if (profile.supportsEfa && efa.length > 0) {
    out.push(daemonSet(config, 'aws-efa-k8s-device-plugin', EFA_DEVICE_PLUGIN.image, efa.map((p) => p.name), []));
  }
  return out;
}
