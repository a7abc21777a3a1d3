import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeInstance } from '@cdktf/provider-google/lib/compute-instance';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/** The range Identity-Aware Proxy TCP forwarding connects from. */
export const IAP_TCP_FORWARDING_RANGE = '35.235.240.0/20';

export interface BastionProps {
  readonly name: string;
  readonly project: string;
  /** The zone the VM runs in. */
  readonly zone: string;
  readonly networkId: string;
  /** The node subnet: the bastion reaches the private endpoint from there (a master authorized network). */
  readonly subnetId: string;
  /** The Cloud KMS key the boot disk is encrypted with (CMEK). */
  readonly bootDiskKmsKey: string;
  /** The grant of that key to the Compute Engine service agent; the VM waits for it. @default none */
  readonly bootDiskKeyGrants?: readonly ITerraformDependable[];
  /** @default e2-micro */
  readonly machineType?: string;
}

/**
 * A VM with no external IP, reachable only through IAP TCP forwarding on port 22, for reaching a private GKE endpoint:
 * `gcloud compute ssh NAME-bastion --tunnel-through-iap -- -L 8443:ENDPOINT:443` (constructs/gcp/README.md). OS Login,
 * no project-wide SSH keys, shielded VM, its own service account with no roles, a boot disk under the platform's key.
 */
export class Bastion extends Construct {
  public readonly instance: ComputeInstance;
  public readonly serviceAccount: ServiceAccount;
  /** The network tag the IAP firewall rule targets. */
  public readonly tag: string;

  constructor(scope: Construct, id: string, props: BastionProps) {
    super(scope, id);
    this.tag = `${props.name}-bastion`;
    this.serviceAccount = new ServiceAccount(this, 'account', {
      accountId: `${props.name}-bastion`,
      project: props.project,
      displayName: `${props.name} bastion`,
      description: 'Bastion VM identity: no roles',
    });
    new ComputeFirewall(this, 'iap-ssh', {
      name: `${props.name}-allow-iap-ssh`,
      project: props.project,
      network: props.networkId,
      description: 'SSH to the bastion through Identity-Aware Proxy only',
      direction: 'INGRESS',
      sourceRanges: [IAP_TCP_FORWARDING_RANGE],
      targetTags: [this.tag],
      allow: [{ protocol: 'tcp', ports: ['22'] }],
    });
    this.instance = new ComputeInstance(this, 'vm', {
      name: `${props.name}-bastion`,
      project: props.project,
      zone: props.zone,
      machineType: props.machineType ?? 'e2-micro',
      tags: [this.tag],
      bootDisk: { initializeParams: { image: 'debian-cloud/debian-12', size: 20, type: 'pd-balanced' }, kmsKeySelfLink: props.bootDiskKmsKey },
      // No access_config block: no external IP.
      networkInterface: [{ subnetwork: props.subnetId }],
      serviceAccount: { email: this.serviceAccount.email, scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: { 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE' },
      ...(props.bootDiskKeyGrants !== undefined ? { dependsOn: [...props.bootDiskKeyGrants] } : {}),
    });
  }
}
