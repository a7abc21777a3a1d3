/**
 * Per-job trainer credentials on Azure: the controller asks Blob storage for a user delegation key with its own
 * workload identity (Storage Blob Delegator on the account; the key can sign nothing the controller's own data role
 * does not allow) and signs one SAS per granted object or directory with it (constructs/azure/job-sas.ts). The
 * Secret holds the tokens as JSON, keyed by prefix; the trainer (vpctune_trainer/azure_sas.py) picks the token of
 * the longest matching prefix and re-reads the file when the tokens near their expiry. The trainer container is kept
 * out of the workload identity webhook: its own identity holds no blob role, and the SAS file is its only access.
 */
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type UserDelegationKey } from '@azure/storage-blob';
import { jobSasDocument, type JobSasDocument } from '../../../../../constructs/azure/job-sas';
import type { JobAccessGrant } from '../../../../../constructs/platform/job-access';
import { CREDENTIALS_MOUNT_DIR, type JobCredentialIssuer, type JobCredentials } from './job-credentials';
import { TRAINER_CONTAINER } from './names';

/** The mounted file: a `JobSasDocument` (account, container, expiry, entries of prefix → SAS). */
export const AZURE_SAS_FILE = 'azure-sas.json';
/** The variable the trainer reads the SAS file's path from (storage.py). */
export const AZURE_SAS_FILE_ENV = 'VPCTUNE_AZURE_SAS_FILE';
/** The Entra workload identity webhook's pod annotation naming containers it leaves alone. */
export const WORKLOAD_IDENTITY_SKIP_CONTAINERS = 'azure.workload.identity/skip-containers';
/** How long one delegation key (and so every token signed with it) lasts. */
export const JOB_SAS_SECONDS = 3600;
/** How far back the tokens start, for clock skew between the controller and Blob storage. */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** The part of BlobServiceClient the issuer uses (a test passes its own). */
export interface DelegationKeySource {
  getUserDelegationKey(startsOn: Date, expiresOn: Date): Promise<UserDelegationKey>;
}

export interface AzureJobCredentialOptions {
  /** The storage account, container and key prefix the controller's storage URL names (`az://ACCOUNT/CONTAINER[/PREFIX]`). */
  readonly account: string;
  readonly container: string;
  readonly prefix: string;
  /** The Blob endpoint. @default `https://ACCOUNT.blob.core.windows.net` */
  readonly accountUrl?: string;
  /** Where delegation keys come from. @default a BlobServiceClient on `accountUrl` with the controller's DefaultAzureCredential */
  readonly keys?: DelegationKeySource;
  /** @default 30 minutes: the trainer re-reads the file 5 minutes before expiry, and the kubelet needs a minute to update it */
  readonly refreshBeforeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class AzureJobCredentialIssuer implements JobCredentialIssuer {
  readonly env = [{ name: AZURE_SAS_FILE_ENV, value: `${CREDENTIALS_MOUNT_DIR}/${AZURE_SAS_FILE}` }];
  readonly podAnnotations = { [WORKLOAD_IDENTITY_SKIP_CONTAINERS]: TRAINER_CONTAINER };
  readonly refreshBeforeMs: number;
  private keySource?: DelegationKeySource;

  constructor(private readonly options: AzureJobCredentialOptions) {
    this.refreshBeforeMs = options.refreshBeforeMs ?? 30 * 60_000;
    this.keySource = options.keys;
  }

  /** The Blob client under the controller's identity (created once, on first use). */
  private keys(): DelegationKeySource {
    if (this.keySource === undefined) {
      const credential: TokenCredential = new DefaultAzureCredential();
      this.keySource = new BlobServiceClient(this.options.accountUrl ?? `https://${this.options.account}.blob.core.windows.net`, credential);
    }
    return this.keySource;
  }

  /** The tokens of `grant` signed with `key` (what `mint` writes), for review output and tests. */
  sasDocument(grant: JobAccessGrant, key: UserDelegationKey, startsOn: Date, expiresOn: Date): JobSasDocument {
    return jobSasDocument(grant, { account: this.options.account, container: this.options.container, prefix: this.options.prefix, key, startsOn, expiresOn });
  }

  async mint(grant: JobAccessGrant): Promise<JobCredentials> {
    // Whole seconds: the service returns the key's times so, and a token may not outlive its key.
    const now = Math.floor((this.options.now ?? Date.now)() / 1000) * 1000;
    const startsOn = new Date(now - CLOCK_SKEW_MS);
    const expiresOn = new Date(now + JOB_SAS_SECONDS * 1000);
    const key = await this.keys().getUserDelegationKey(startsOn, expiresOn);
    const doc = this.sasDocument(grant, key, startsOn, expiresOn);
    return { files: { [AZURE_SAS_FILE]: `${JSON.stringify(doc)}\n` }, expiresAt: expiresOn.getTime() };
  }
}
