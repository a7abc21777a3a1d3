import { Cloud } from '../catalog/types';
import { JobCredentialMechanism, type CloudProfile, type StorageLocation } from '../platform/cloud-profile';
import { lettersAfterRegion } from '../platform/region-zones';
import { joinStorageUrl, splitStorageUrl, type StorageNameRule } from '../platform/storage-url';
import { gcpConfigIssues } from './config-rules';

/** GCS bucket names (up to 222 characters when dotted; 63 per dot-separated part, which GCS itself enforces). */
const GCS_BUCKET: StorageNameRule = {
  part: 'bucket',
  kind: 'a GCS bucket name',
  pattern: /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/,
  allowed: '3-222 lowercase letters, digits, dots, dashes and underscores, starting and ending with a letter or digit',
};
const GCS_URL_FORM = 'gs://BUCKET[/PREFIX]';

/** GCP: GKE with Workload Identity, GCS; GKE installs the GPU driver and runs its own NVIDIA device plugin. */
export const GCP_PROFILE: CloudProfile = {
  cloud: Cloud.GCP,
  title: 'GCP',
  region: { pattern: /^[a-z]+-[a-z]+\d$/, example: 'us-central1' },
  zone: (region) => lettersAfterRegion(region, '-'),
  poolName: { pattern: /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, allowed: '1-32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash' },
  acceptsAdminRoleArn: false,
  supportsNoEgress: false,
  storage: {
    scheme: 'gs',
    urlForm: GCS_URL_FORM,
    defaultLocation: (platformName) => ({ bucket: `${platformName}-artifacts` }),
    url: (location: StorageLocation, prefix?: string) => joinStorageUrl('gs', [location.bucket], prefix),
    parse: (url) => {
      const split = splitStorageUrl('gs', GCS_URL_FORM, [GCS_BUCKET], url);
      return split === undefined ? undefined : { location: { bucket: split.names[0] as string }, prefix: split.prefix };
    },
  },
  workloadIdentity: {
    annotationKey: 'iam.gke.io/gcp-service-account',
    annotationMeaning: 'Google service account email (Workload Identity)',
    valuePattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    valueAllowed: 'a Google service account email (NAME@PROJECT.iam.gserviceaccount.com)',
    podLabels: {},
  },
  platformStack: {
    identityOutputPrefix: 'service_account',
    bucketOutput: 'bucket',
    apiServerUrl: (endpoint) => `https://${endpoint}`,
    credentialExec: () => ({ apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'gke-gcloud-auth-plugin', args: [] }),
    credentialTool: 'gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)',
  },
  jobCredentials: JobCredentialMechanism.CREDENTIAL_ACCESS_BOUNDARY,
  runsNvidiaDevicePlugin: false,
  supportsEfa: false,
  // Application Default Credentials come from the metadata server (Workload Identity); google-cloud-storage reads an
  // endpoint override from STORAGE_EMULATOR_HOST.
  podEnv: ({ storageEndpoint }) => (storageEndpoint !== undefined ? [{ name: 'STORAGE_EMULATOR_HOST', value: storageEndpoint }] : []),
  addedTaints: () => [],
  configIssues: gcpConfigIssues,
};
