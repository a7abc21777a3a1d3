import { z } from 'zod';
import { Accelerator, CapacityType, Cloud } from '../catalog';
import { servingEntrySchema } from './serving-config';

export { CapacityType };

/**
 * The platform config (`vpctune.yaml` / `.json`): one zod schema. Field-level rules live here; rules that
 * need several fields or the catalog live in `rules.ts`. Defaults are applied by the schema and documented
 * on each field.
 */

/** How the platform's private subnets reach the internet. */
export enum NetworkEgress {
  /** Through NAT gateways (see natGateways); AWS services through VPC endpoints where the platform has them. */
  NAT = 'nat',
  /**
   * No path to the internet at all: no internet or NAT gateway; every cloud service the platform uses through a VPC
   * endpoint. Images come from the platform registry and models from the platform bucket. AWS only for now.
   */
  NONE = 'none',
}

/** How many NAT gateways the network gets. */
export enum NatGateways {
  /** One NAT gateway for all zones (cheapest; a zone outage cuts egress for the others). */
  SINGLE = 'single',
  /** One per availability zone. */
  PER_AZ = 'per-az',
}

const PLATFORM_NAME = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
/** A Google Cloud project id. */
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
export const GCP_PROJECT_ID_ALLOWED = '6-30 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen';
/** An Azure subscription, tenant or Entra object id. */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const UUID_ALLOWED = 'is not a UUID; allowed: 8-4-4-4-12 hexadecimal digits like 00000000-0000-0000-0000-000000000000';
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+\/]+={0,3}( .*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

export const gpuPoolSchema = z
  .object({
    /** Pool name: a DNS label, unique in the config (per-cloud limits are checked in rules.ts). */
    name: z.string(),
    /** Accelerator name: A10G, L40S, A100-40GB, A100-80GB or H100. */
    gpu: z.nativeEnum(Accelerator),
    /** GPUs per node; the (cloud, gpu, gpusPerNode) combination must be sold. */
    gpusPerNode: z.number().int().min(1).max(16),
    /** @default 0 — scale to zero when idle. */
    minNodes: z.number().int().min(0).max(1000).default(0),
    maxNodes: z.number().int().min(1).max(1000),
    /** @default on-demand */
    capacity: z.nativeEnum(CapacityType).default(CapacityType.ON_DEMAND),
    /** @default - the catalog's default shape for (gpu, gpusPerNode); must be a catalog shape with that GPU and count. */
    instanceType: z.string().optional(),
    /** Attach EFA / InfiniBand where the shape has it. @default false */
    efa: z.boolean().default(false),
    /** Root volume size, GiB, room for the container image and model weights. @default 500 */
    rootVolumeGiB: z.number().int().min(100).max(16384).default(500),
  })
  .strict();

export const platformConfigSchema = z
  .object({
    /** Platform name: prefixes every cloud resource. 3-24 chars, lowercase letters, digits, dashes. */
    name: z.string().regex(PLATFORM_NAME, 'must be 3-24 characters of lowercase letters, digits and dashes, starting with a letter'),
    cloud: z.nativeEnum(Cloud),
    region: z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$|^[a-z]+[a-z0-9]*$/, 'must be a cloud region name like us-east-1, us-central1 or eastus'),
    network: z
      .object({
        /** VPC / VNet address space, /16 to /20. */
        cidr: z.string(),
        /** @default - the region's zones a, b, c (AWS: `${region}a` …); 1 to 3 zones. */
        availabilityZones: z.array(z.string().min(1)).min(1).max(3).optional(),
        /** @default single (ignored, and refused when written, with egress none) */
        natGateways: z.nativeEnum(NatGateways).default(NatGateways.SINGLE),
        /** @default nat — `none`: no internet path, VPC endpoints only (AWS only) */
        egress: z.nativeEnum(NetworkEgress).default(NetworkEgress.NAT),
      })
      .strict(),
    kubernetes: z
      .object({
        /** Minor version, e.g. "1.34"; must be one the cloud supports today (catalog). @default - the newest supported */
        version: z.string().optional(),
        /** Expose the API endpoint publicly. @default false — private endpoint only */
        publicEndpoint: z.boolean().default(false),
        /** CIDRs allowed to reach a public endpoint; required and not 0.0.0.0/0 when publicEndpoint is true. */
        publicAccessCidrs: z.array(z.string()).optional(),
        /** IAM role ARN (AWS) granted cluster-admin through an EKS access entry. @default - none */
        adminRoleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN like arn:aws:iam::123456789012:role/platform-admin').optional(),
        /** Azure only: Entra ID group object ids made AKS cluster admins (the adminRoleArn counterpart). @default - none */
        adminGroupObjectIds: z.array(z.string().regex(UUID, UUID_ALLOWED)).min(1).max(10).optional(),
      })
      .strict()
      .default({}),
    /** The CPU node group for the controller and system add-ons. */
    systemPool: z
      .object({
        /** @default m6i.large (AWS) */
        instanceType: z.string().optional(),
        /** @default 2 */
        minNodes: z.number().int().min(1).max(100).default(2),
        /** @default 4 */
        maxNodes: z.number().int().min(1).max(100).default(4),
      })
      .strict()
      .default({}),
    gpuPools: z.array(gpuPoolSchema).min(1).max(20),
    /** Base models the cluster serves (vLLM with the vpctune LoRA resolver), see serving-config.ts. @default [] */
    serving: z.array(servingEntrySchema).max(20).default([]),
    storage: z
      .object({
        /** Days before objects under jobs/ (checkpoints, staging) expire. @default 30 */
        jobArtifactRetentionDays: z.number().int().min(1).max(3650).default(30),
        /** Days before non-current object versions expire. @default 30 */
        noncurrentVersionRetentionDays: z.number().int().min(1).max(3650).default(30),
        /** Allow `terraform destroy` to delete a non-empty bucket and registries. @default false */
        forceDestroy: z.boolean().default(false),
      })
      .strict()
      .default({}),
    /**
     * The controller's PostgreSQL (AWS: RDS in the private subnets, its password in Secrets Manager; GCP: Cloud SQL on a
     * private IP, its password in Secret Manager; Azure: a flexible server in a delegated subnet, its password in Key
     * Vault). `forceDestroy` under `storage` also turns its deletion protection off. Each cloud checks the forms of
     * instanceClass and storageGiB in its profile's configIssues. @default { external: false } and the cloud's tier and size
     */
    database: z
      .object({
        /** Bring your own PostgreSQL: the stack creates none. @default false */
        external: z.boolean().default(false),
        /** The cloud's tier: RDS instance class (AWS), Cloud SQL machine tier (GCP), flexible server SKU (Azure). @default db.t4g.small, db-custom-1-3840, B_Standard_B2s */
        instanceClass: z.string().min(1).optional(),
        /** Storage, GiB (AWS gp3 20-65536, GCP SSD 10-65536, Azure one of the flexible server sizes 32-32767). @default 20, 10, 32 */
        storageGiB: z.number().int().min(1).max(65536).optional(),
      })
      .strict()
      .default({}),
    /** An SSM-managed bastion in a private subnet to reach the private API endpoint. @default false */
    bastion: z.object({ enabled: z.boolean().default(false) }).strict().default({}),
    /** Remote state: S3 backend with native lockfile locking (AWS); azurerm backend with blob leases (Azure). @default - local state */
    state: z
      .object({
        bucket: z.string().min(3).max(63),
        /** @default `vpctune/<name>.tfstate` */
        key: z.string().min(1).optional(),
        /** @default - the platform region */
        region: z.string().optional(),
        /** DynamoDB table for locking (older setups); @default - S3 native lockfile */
        dynamodbTable: z.string().optional(),
        /** Azure only, required there: the storage account holding the state container (`bucket`); blob leases lock. */
        storageAccount: z.string().regex(/^[a-z0-9]{3,24}$/, 'is not a storage account name; allowed: 3-24 lowercase letters and digits').optional(),
        /** Azure only: the resource group of `storageAccount`. @default - looked up by the backend (Entra ID auth) */
        resourceGroup: z.string().min(1).max(90).optional(),
      })
      .strict()
      .optional(),
    /** GCP only, required there: the Google Cloud project the platform is deployed into. */
    gcp: z
      .object({
        /** Project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
        project: z.string().regex(GCP_PROJECT_ID, `is not a GCP project id; allowed: ${GCP_PROJECT_ID_ALLOWED}`),
      })
      .strict()
      .optional(),
    /** Azure only: where the platform is deployed. @default - the azurerm provider's default subscription (ARM_SUBSCRIPTION_ID) */
    azure: z
      .object({
        /** Subscription id (a UUID). @default - the provider's default (ARM_SUBSCRIPTION_ID, `az account show`) */
        subscriptionId: z.string().regex(UUID, UUID_ALLOWED).optional(),
        /** OpenSSH public key of the bastion VM's `azureuser` (required when bastion.enabled on Azure). */
        bastionSshPublicKey: z.string().regex(SSH_PUBLIC_KEY, 'is not an OpenSSH public key; allowed: "ssh-ed25519 AAAA…", "ssh-rsa AAAA…" or "ecdsa-sha2-nistp256 AAAA…"').optional(),
      })
      .strict()
      .optional(),
    /**
     * Where the in-cluster stack pulls Kueue's chart and controller image from: a mirror (e.g. ECR, which serves OCI Helm
     * charts) for networks that cannot reach registry.k8s.io (`network.egress: none`). @default registry.k8s.io (stacks/in-cluster-stack.ts KUEUE_CHART)
     */
    kueue: z
      .object({
        /** OCI repository holding the `kueue` chart at the pinned version. @default oci://registry.k8s.io/kueue/charts */
        chartRepository: z.string().regex(/^oci:\/\/[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, 'is not an OCI chart repository; allowed: oci://HOST[/PATH], lowercase, e.g. oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/kueue/charts').optional(),
        /** Image repository of Kueue's controller at the pinned version's tag. @default registry.k8s.io/kueue/kueue */
        imageRepository: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/, 'is not an image repository; allowed: HOST/PATH without tag, lowercase, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/kueue/kueue').optional(),
      })
      .strict()
      .optional(),
    /** Tags put on every resource. @default {} */
    tags: z.record(z.string().max(256)).default({}),
  })
  .strict();

/** A config as written (defaults not yet applied). */
export type PlatformConfigInput = z.input<typeof platformConfigSchema>;
/** A validated config with every default applied. */
export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type GpuPoolConfig = z.output<typeof gpuPoolSchema>;
