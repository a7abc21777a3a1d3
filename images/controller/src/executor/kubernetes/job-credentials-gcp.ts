/**
 * Per-job trainer credentials on GCP: the controller impersonates the trainer-job service account (its bucket roles
 * are the trainer's ceiling) and exchanges that token at Google's STS (`https://sts.googleapis.com/v1/token`,
 * token-exchange) for a downscoped one bounded by the job's Credential Access Boundary
 * (constructs/gcp/job-access-boundary.ts), through google-auth-library's `DownscopedClient`. The Secret holds the
 * token and its expiry as JSON; the trainer reads it through its own credentials class (storage.py), which re-reads
 * the file the controller rewrites. GKE's metadata server still answers the trainer as its own service account, which
 * holds no bucket roles.
 */
import { DownscopedClient, GoogleAuth, Impersonated, type AuthClient } from 'google-auth-library';
import { jobAccessBoundary, type CredentialAccessBoundary } from '../../../../../constructs/gcp/job-access-boundary';
import { grantUnderPrefix, type JobAccessGrant } from '../../../../../constructs/platform/job-access';
import { CREDENTIALS_MOUNT_DIR, type JobCredentialIssuer, type JobCredentials } from './job-credentials';

/** The mounted file: `{"access_token": "...", "expiry": "<ISO 8601>"}`. */
export const GCS_TOKEN_FILE = 'gcs-token.json';
/** The variable the trainer reads the token file's path from (storage.py). */
export const GCS_TOKEN_FILE_ENV = 'VPCTUNE_GCS_TOKEN_FILE';
/** The scope of the impersonated source token (a boundary can only narrow it). */
export const STORAGE_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_write';
/** Seconds the source token (and so the downscoped one) lasts: the default and maximum without an org policy change. */
export const TRAINER_JOB_TOKEN_SECONDS = 3600;

export interface GcpJobCredentialOptions {
  /** The trainer-job service account's email (`trainerJobServiceAccountEmail`). */
  readonly serviceAccount: string;
  /** The bucket and key prefix the controller's storage URL names (`gs://BUCKET[/PREFIX]`). */
  readonly bucket: string;
  readonly prefix: string;
  /** The token to downscope. @default the trainer-job service account impersonated with the controller's Application Default Credentials */
  readonly source?: AuthClient;
  /** @default 30 minutes: the trainer re-reads the file 5 minutes before expiry, and the kubelet needs a minute to update it */
  readonly refreshBeforeMs?: number;
}

export class GcpJobCredentialIssuer implements JobCredentialIssuer {
  readonly env = [{ name: GCS_TOKEN_FILE_ENV, value: `${CREDENTIALS_MOUNT_DIR}/${GCS_TOKEN_FILE}` }];
  readonly podAnnotations = {};
  readonly refreshBeforeMs: number;
  private source?: Promise<AuthClient>;

  constructor(private readonly options: GcpJobCredentialOptions) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 30 * 60_000;
    if (options.source !== undefined) this.source = Promise.resolve(options.source);
  }

  /** The trainer-job account impersonated with the controller's own credentials (resolved once, on first use). */
  private sourceClient(): Promise<AuthClient> {
    this.source ??= new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getClient().then(
      (controller) => new Impersonated({ sourceClient: controller, targetPrincipal: this.options.serviceAccount, targetScopes: [STORAGE_SCOPE], lifetime: TRAINER_JOB_TOKEN_SECONDS }),
    );
    return this.source;
  }

  /** The service account whose token is downscoped. */
  get serviceAccount(): string {
    return this.options.serviceAccount;
  }

  /** The boundary of `grant` (what `mint` sends as the exchange's `options`), for review output and tests. */
  accessBoundary(grant: JobAccessGrant): CredentialAccessBoundary {
    return jobAccessBoundary(grantUnderPrefix(grant, this.options.prefix), this.options.bucket);
  }

  async mint(grant: JobAccessGrant): Promise<JobCredentials> {
    const boundary = this.accessBoundary(grant);
    // DownscopedClient's types want mutable arrays; the document is not changed.
    const client = new DownscopedClient(await this.sourceClient(), boundary as unknown as ConstructorParameters<typeof DownscopedClient>[1]);
    const out = await client.getAccessToken();
    if (typeof out.token !== 'string' || out.token === '' || typeof out.expirationTime !== 'number') {
      throw new Error(`token exchange for job ${grant.jobId} as ${this.options.serviceAccount} returned no token or no expiry`);
    }
    const expiry = new Date(out.expirationTime).toISOString();
    return { files: { [GCS_TOKEN_FILE]: `${JSON.stringify({ access_token: out.token, expiry })}\n` }, expiresAt: out.expirationTime };
  }
}
