/** What the Kubernetes executor's parts share: the API client, the platform's settings, storage, log and clock. */
import type { Logger } from '../../ops/logger';
import type { BlobStorage } from '../../storage/blob-storage';
import type { JobCredentialIssuer } from './job-credentials';
import type { KubeApi } from './kube-api';
import type { KubernetesRunSettings } from './settings';

export interface RunContext {
  /** The connected client (callers have awaited `connected()` first). */
  api(): KubeApi;
  /** Connects on first use. */
  connected(): Promise<void>;
  readonly settings: KubernetesRunSettings;
  readonly storage: BlobStorage;
  readonly log: Logger;
  /** Mints per-job trainer credentials (ARCHITECTURE.md, "Tenant isolation below the API"). @default none: the trainer uses its service account's identity */
  readonly credentials?: JobCredentialIssuer;
  /** Wall clock, ms. */
  readonly now: () => number;
  /** How often a followed run's events are read and the run re-checked. */
  readonly pollMs: number;
  /** Wait before a failed watch starts again. */
  readonly watchRetryMs: number;
}
