import type { CapacityType, Cloud } from '../catalog';
import type { ConfigIssue } from '../config/issues';

/**
 * How the controller mints one job's downscoped trainer credentials on a cloud (ARCHITECTURE.md, "Tenant isolation
 * below the API"); the executor picks its issuer by this, never by the cloud.
 */
export enum JobCredentialMechanism {
  /** AWS: `sts:AssumeRole` of the trainer-job role with an inline session policy. */
  STS_SESSION_POLICY = 'sts-session-policy',
  /** GCP: a trainer-job service account token exchanged at Google's STS for one bounded by a Credential Access Boundary. */
  CREDENTIAL_ACCESS_BOUNDARY = 'credential-access-boundary',
  /** Azure: SAS tokens per granted object or directory, signed with a user delegation key the controller obtains. */
  USER_DELEGATION_SAS = 'user-delegation-sas',
}

/** An environment variable for a pod, as Kubernetes writes it. */
export interface ProfileEnvVar {
  readonly name: string;
  readonly value: string;
}

/** A node taint, as Kubernetes writes it. */
export interface ProfileTaint {
  readonly key: string;
  readonly value: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Where a platform's objects live in the cloud's object store, known before or after deploy. */
export interface StorageLocation {
  /** The platform's bucket (AWS, GCP) or storage container (Azure) name. */
  readonly bucket: string;
  /** Azure only: the storage account that holds the container. @default none */
  readonly account?: string;
}

/** A storage URL read back: the location it names and the key prefix under it (no leading or trailing slash). */
export interface ParsedStorageUrl {
  readonly location: StorageLocation;
  readonly prefix: string;
}

/** What a pod needs to act as a cloud identity (Kubernetes workload identity federation). */
export interface WorkloadIdentityBinding {
  /** The service-account annotation and what its value is (IAM role ARN, Google service account email, client id). */
  readonly annotationKey: string;
  readonly annotationMeaning: string;
  /** A pattern every annotation value must match, with what is allowed in words. */
  readonly valuePattern: RegExp;
  readonly valueAllowed: string;
  /** Labels the pods themselves must carry for the identity webhook to act (Azure); empty elsewhere. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/** What a pod's cloud environment is built from. */
export interface PodEnvContext {
  /** The platform's region. */
  readonly region: string;
  /** An object-store endpoint to use instead of the cloud's public one (an emulator, a sovereign cloud). @default none */
  readonly storageEndpoint?: string;
}

/** A client-go exec credential plugin: the command Terraform's Kubernetes and Helm providers (and kubeconfig) run for a token. */
export interface ClusterCredentialExec {
  readonly apiVersion: string;
  readonly command: string;
  readonly args: readonly string[];
}

/** What the platform stack writes out and how tools outside the cluster reach its API (the in-cluster stack reads it). */
export interface PlatformStackFacts {
  /** Prefix of the outputs naming each service account's cloud identity: `role` (AWS) → `role_vpctune_trainer`. */
  readonly identityOutputPrefix: string;
  /** The output naming the platform's bucket (Azure: its container; the account follows from the platform name). */
  readonly bucketOutput: string;
  /** The API server URL from the `cluster_endpoint` output (EKS gives a URL, GKE an address, AKS a private FQDN). */
  apiServerUrl(endpoint: string): string;
  /** The exec plugin that signs in to the cluster as the caller's cloud identity. */
  credentialExec(clusterName: string, region: string): ClusterCredentialExec;
  /** What to install for `credentialExec`, in words, for docs and errors. */
  readonly credentialTool: string;
}

/**
 * Every per-cloud fact that is not a SKU row (those live in the catalog). Config rules, `platform values`, the in-cluster
 * stack, the Kubernetes executor, `serve` and the storage factory read a profile; nothing else switches on the cloud.
 * Look a profile up with `cloudProfile(cloud)` or `profileForStorageUrl(url)` (`cloud-profiles.ts`).
 */
export interface CloudProfile {
  readonly cloud: Cloud;
  /** How the cloud is written in prose and tables (`AWS`, `GCP`, `Azure`). */
  readonly title: string;
  /** The cloud's region names. */
  readonly region: { readonly pattern: RegExp; readonly example: string };
  /**
   * The cloud's zone names inside `region` (what `network.availabilityZones` lists): `us-east-1a` on AWS,
   * `us-central1-a` on GCP, `1`-`3` on Azure.
   */
  zone(region: string): { readonly pattern: RegExp; readonly example: string };
  /** The cloud's node pool names (AKS allows 12 lowercase alphanumerics; EKS and GKE DNS labels). */
  readonly poolName: { readonly pattern: RegExp; readonly allowed: string };
  /** Whether `kubernetes.adminRoleArn` (an IAM role given cluster admin through an EKS access entry) applies. */
  readonly acceptsAdminRoleArn: boolean;
  /**
   * Whether the platform can be built with `network.egress: none` (no internet path; every cloud service through a
   * private endpoint). AWS only for now: the GCP and Azure stacks still need their NAT for images and some APIs.
   */
  readonly supportsNoEgress: boolean;
  /** Object storage: the URL scheme the controller and trainer share, and how the platform's names derive. */
  readonly storage: {
    /** `s3`, `gs` or `az`. */
    readonly scheme: string;
    /** The URL forms in words, for error messages (`s3://BUCKET[/PREFIX]`). */
    readonly urlForm: string;
    /** Names the stack gives a platform's storage before its outputs are known (placeholders for review output). */
    defaultLocation(platformName: string): StorageLocation;
    /** The storage URL (`s3://bucket[/prefix]`, `gs://bucket[/prefix]`, `az://account/container[/prefix]`) of a location. */
    url(location: StorageLocation, prefix?: string): string;
    /**
     * Parses `url` back into a location and a key prefix. Undefined when `url` is not of this cloud's scheme; throws
     * `StorageUrlError` (naming the URL, the part and what is allowed) when it is but a name is missing or invalid.
     */
    parse(url: string): ParsedStorageUrl | undefined;
  };
  /** How Kubernetes service accounts are bound to cloud identities. */
  readonly workloadIdentity: WorkloadIdentityBinding;
  /** The platform stack's output names and how the in-cluster stack signs in to the cluster. */
  readonly platformStack: PlatformStackFacts;
  /** How per-job trainer credentials are minted. @default none: trainers use their workload identity */
  readonly jobCredentials?: JobCredentialMechanism;
  /** Whether the platform must run the NVIDIA device plugin itself (GKE runs its own). */
  readonly runsNvidiaDevicePlugin: boolean;
  /** Whether pools with `efa: true` get the EFA device plugin (AWS only). */
  readonly supportsEfa: boolean;
  /**
   * Environment the trainer (and the server) need in a pod to reach the cloud's services: the region where the SDK
   * wants it, and the storage endpoint override in the variable the cloud's SDK reads.
   */
  podEnv(context: PodEnvContext): readonly ProfileEnvVar[];
  /** Taints the cloud itself adds to a GPU pool's nodes beside the platform's GPU taint (AKS Spot). */
  addedTaints(capacity: CapacityType): readonly ProfileTaint[];
  /**
   * Rules for the config fields this cloud owns, run for every config whose cloud is known: what the cloud requires or
   * refuses in its own configs, and its own fields (`gcp`, `azure`, …) refused on other clouds. Reads the raw input
   * defensively (a field of the wrong type is the schema's error). @default none
   */
  configIssues(input: Readonly<Record<string, unknown>>, cloud: Cloud): readonly ConfigIssue[];
}
