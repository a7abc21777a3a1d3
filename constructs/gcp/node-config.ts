import { ContainerNodePoolNodeConfig } from '@cdktf/provider-google/lib/container-node-pool';

/** The OAuth scope GKE recommends with a least-privilege service account: IAM, not scopes, limits what nodes do. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface NodeConfigOptions {
  readonly machineType: string;
  readonly serviceAccountEmail: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly diskSizeGb: number;
  /** The Cloud KMS key the boot disks are encrypted with (CMEK); the Compute Engine service agent must hold encrypter/decrypter on it. */
  readonly bootDiskKmsKey: string;
}

/**
 * What every vpctune node pool shares: its own service account, shielded VM with secure boot and integrity
 * monitoring, the GKE metadata server (Workload Identity; the node's credentials stay hidden from pods),
 * Container-Optimized OS, legacy metadata endpoints off, boot disks encrypted with the platform's Cloud KMS key.
 */
export function baseNodeConfig(o: NodeConfigOptions): ContainerNodePoolNodeConfig {
  return {
    machineType: o.machineType,
    imageType: 'COS_CONTAINERD',
    diskType: 'pd-balanced',
    diskSizeGb: o.diskSizeGb,
    bootDiskKmsKey: o.bootDiskKmsKey,
    serviceAccount: o.serviceAccountEmail,
    oauthScopes: [CLOUD_PLATFORM_SCOPE],
    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    workloadMetadataConfig: { mode: 'GKE_METADATA' },
    metadata: { 'disable-legacy-endpoints': 'true' },
    labels: { ...o.labels },
  };
}
