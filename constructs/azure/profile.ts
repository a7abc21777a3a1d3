import { CapacityType, Cloud } from '../catalog/types';
import type { CloudProfile, StorageLocation } from '../platform/cloud-profile';

/** Azure: AKS with workload identity, Blob storage (one container in a platform storage account). */
export const AZURE_PROFILE: CloudProfile = {
  cloud: Cloud.AZURE,
  title: 'Azure',
  region: { pattern: /^[a-z]+[a-z0-9]*$/, example: 'eastus' },
  poolName: { pattern: /^[a-z][a-z0-9]{0,11}$/, allowed: '1-12 lowercase letters and digits, starting with a letter (AKS node pool names)' },
  storage: {
    scheme: 'az',
    urlForm: 'az://ACCOUNT/CONTAINER[/PREFIX]',
    // Storage account names: 3-24 lowercase letters and digits, globally unique.
    defaultLocation: (platformName) => ({ account: platformName.replace(/[^a-z0-9]/g, '').slice(0, 24).padEnd(3, '0'), bucket: 'artifacts' }),
    url: (location: StorageLocation) => `az://${location.account ?? ''}/${location.bucket}`,
    parse: (url) => {
      const m = /^az:\/\/([a-z0-9]{3,24})\/([a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9]))(?:\/(.*))?$/.exec(url);
      return m === null ? undefined : { location: { account: m[1] as string, bucket: m[2] as string }, prefix: (m[3] ?? '').replace(/\/+$/, '') };
    },
  },
  workloadIdentity: {
    annotationKey: 'azure.workload.identity/client-id',
    annotationMeaning: 'user-assigned managed identity client id (Entra workload identity)',
    valuePattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    valueAllowed: 'a managed identity client id (a UUID)',
    podLabels: { 'azure.workload.identity/use': 'true' },
  },
  runsNvidiaDevicePlugin: true,
  supportsEfa: false,
  podEnv: ({ storage }) => (storage.account !== undefined ? [{ name: 'AZURE_STORAGE_ACCOUNT_URL', value: `https://${storage.account}.blob.core.windows.net` }] : []),
  addedTaints: (capacity) => (capacity === CapacityType.SPOT ? [{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' }] : []),
};
