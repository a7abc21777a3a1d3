/**
 * The in-cluster objects `vpctune platform render` builds read the cloud profile: which device plugins run
 * (`runsNvidiaDevicePlugin`, `supportsEfa`), the workload identity annotation of the service accounts
 * (`workloadIdentity`), and the taints the cloud adds to a pool in the Kueue flavors (`addedTaints`).
 */
import { parseConfig, type ResolvedPlatformConfig } from '../../constructs/config';
import { devicePluginObjects, kueueObjects, namespaceObjects, ServiceAccount, type KubernetesObject } from '../../constructs/platform';

const TODAY = { today: '2026-11-22' };
const NETWORK = { cidr: '10.42.0.0/16' };
const AWS = parseConfig(
  { name: 'acme-ft', cloud: 'aws', region: 'us-east-1', network: NETWORK, gpuPools: [{ name: 'h100', gpu: 'H100', gpusPerNode: 8, maxNodes: 2, efa: true }] },
  TODAY,
);
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
      { name: 'h100', gpu: 'H100', gpusPerNode: 8, maxNodes: 1, efa: true },
    ],
  },
  TODAY,
);

const annotationsOf = (objects: KubernetesObject[], sa: ServiceAccount) =>
  (objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === sa)?.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;

describe('device plugins per cloud', () => {
  test.each([
    ['aws', AWS, ['nvidia-device-plugin', 'aws-efa-k8s-device-plugin']],
    ['gcp', GCP, []],
    ['azure', AZURE, ['nvidia-device-plugin']],
  ] as const)('GIVEN %s (an efa: true pool where the cloud allows one) WHEN device plugins are built THEN %j', (_cloud, config, names) => {
    // WHEN
    const objects = devicePluginObjects(config);
    // THEN NVIDIA where the platform runs it (not GKE), EFA only where the profile supports it (AWS, not Azure's InfiniBand)
    expect(objects.map((o) => o.metadata.name)).toEqual(names);
  });
});

describe('service account identities per cloud', () => {
  test.each([
    ['aws', AWS, 'eks.amazonaws.com/role-arn', 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer'],
    ['gcp', GCP, 'iam.gke.io/gcp-service-account', 'acme-ft-trainer@acme-ft-prod.iam.gserviceaccount.com'],
    ['azure', AZURE, 'azure.workload.identity/client-id', '6f1c2a9e-1b2c-4d3e-8f90-0123456789ab'],
  ] as const)('GIVEN %s and the trainer identity WHEN namespace objects are built THEN the trainer carries %s', (_cloud, config, key, value) => {
    // GIVEN the trainer's identity in the cloud's form
    // WHEN the namespace objects are built
    const objects = namespaceObjects(config, { [ServiceAccount.TRAINER]: value });
    // THEN only the trainer is annotated, with the cloud's key
    expect(annotationsOf(objects, ServiceAccount.TRAINER)).toEqual({ [key]: value });
    expect(annotationsOf(objects, ServiceAccount.CONTROLLER)).toBeUndefined();
  });

  test.each([
    [
      'gcp',
      GCP as ResolvedPlatformConfig,
      'arn:aws:iam::123456789012:role/x',
      'service account vpctune-controller: identity "arn:aws:iam::123456789012:role/x" is not a Google service account email (NAME@PROJECT.iam.gserviceaccount.com) (the iam.gke.io/gcp-service-account annotation on gcp)',
    ],
    [
      'azure',
      AZURE as ResolvedPlatformConfig,
      'acme-controller',
      'service account vpctune-controller: identity "acme-controller" is not a managed identity client id (a UUID) (the azure.workload.identity/client-id annotation on azure)',
    ],
    [
      'aws',
      AWS as ResolvedPlatformConfig,
      'arn:aws:iam::1:role/x',
      'service account vpctune-controller: identity "arn:aws:iam::1:role/x" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME) (the eks.amazonaws.com/role-arn annotation on aws)',
    ],
  ])('GIVEN %s and an identity not in its form THEN refused naming the account, the value and what is allowed', (_cloud, config, value, message) => {
    expect(() => namespaceObjects(config, { [ServiceAccount.CONTROLLER]: value })).toThrow(message);
  });
});

describe('Kueue flavors and the taints the cloud adds', () => {
  test('GIVEN an AKS Spot pool WHEN Kueue objects are built THEN its flavor lists the Spot taint and tolerates it', () => {
    // WHEN
    const [spot, onDemand] = kueueObjects(AZURE);
    // THEN the Spot pool's flavor has the AKS taint beside the GPU taint, and a toleration for it
    expect(spot?.spec).toEqual({
      nodeLabels: { 'vpctune.dev/pool': 'a100spot', 'vpctune.dev/gpu': 'A100-80GB' },
      nodeTaints: [
        { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
        { key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' },
      ],
      tolerations: [{ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule' }],
    });
    // AND the on-demand pool's flavor has only the GPU taint and no tolerations
    expect(onDemand?.spec).toEqual({ nodeLabels: { 'vpctune.dev/pool': 'h100', 'vpctune.dev/gpu': 'H100' }, nodeTaints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] });
  });

  test('GIVEN a GKE Spot pool THEN no added taint (the platform taints GPU nodes itself)', () => {
    expect(kueueObjects(GCP)[0]?.spec).toEqual({ nodeLabels: { 'vpctune.dev/pool': 'a100', 'vpctune.dev/gpu': 'A100-80GB' }, nodeTaints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] });
  });
});
