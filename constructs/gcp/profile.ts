import { Cloud } from '../catalog/types';
import type { CloudProfile, StorageLocation } from '../platform/cloud-profile';

/** GCP: GKE with Workload Identity, GCS; GKE installs the GPU driver and runs its own NVIDIA device plugin. */
export const GCP_PROFILE: CloudProfile = {
  cloud: Cloud.GCP,
  title: 'GCP',
  region: { pattern: /^[a-z]+-[a-z]+\d$/, example: 'us-central1' },
  poolName: { pattern: /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/, allowed: '1-32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash' },
  storage: {
    scheme: 'gs',
    urlForm: 'gs://BUCKET[/PREFIX]',
    defaultLocation: (platformName) => ({ bucket: `${platformName}-artifacts` }),
    url: (location: StorageLocation) => `gs://${location.bucket}`,
    parse: (url) => {
      const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(url);
      return m === null ? undefined : { location: { bucket: m[1] as string }, prefix: (m[2] ?? '').replace(/\/+$/, '') };
    },
  },
  workloadIdentity: {
    annotationKey: 'iam.gke.io/gcp-service-account',
    annotationMeaning: 'Google service account email (Workload Identity)',
    valuePattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/,
    valueAllowed: 'a Google service account email (NAME@PROJECT.iam.gserviceaccount.com)',
    podLabels: {},
  },
  runsNvidiaDevicePlugin: false,
  supportsEfa: false,
  podEnv: () => [],
  addedTaints: () => [],
};
