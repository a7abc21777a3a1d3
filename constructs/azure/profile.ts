import { CapacityType, Cloud } from '../catalog/types';
import { JobCredentialMechanism, type CloudProfile, type StorageLocation } from '../platform/cloud-profile';
import { joinStorageUrl, splitStorageUrl, type StorageNameRule } from '../platform/storage-url';
import { azureConfigIssues } from './config-rules';

const STORAGE_ACCOUNT: StorageNameRule = { part: 'account', kind: 'a storage account name', pattern: /^[a-z0-9]{3,24}$/, allowed: '3-24 lowercase letters and digits' };
const CONTAINER: StorageNameRule = {
  part: 'container',
  kind: 'a container name',
  pattern: /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
  allowed: '3-63 lowercase letters, digits and single dashes, starting and ending with a letter or digit',
};
const AZ_URL_FORM = 'az://ACCOUNT/CONTAINER[/PREFIX]';

/** Azure: AKS with workload identity, Blob storage (one container in a platform storage account). */
export const AZURE_PROFILE: CloudProfile = {
  cloud: Cloud.AZURE,
  title: 'Azure',
  region: { pattern: /^[a-z]+[a-z0-9]*$/, example: 'eastus' },
  // Availability zones are numbered per subscription and region.
  zone: () => ({ pattern: /^[1-3]$/, example: '1' }),
  poolName: { pattern: /^[a-z][a-z0-9]{0,11}$/, allowed: '1-12 lowercase letters and digits, starting with a letter (AKS node pool names)' },
  acceptsAdminRoleArn: false,
  supportsNoEgress: false,
  storage: {
    scheme: 'az',
    urlForm: AZ_URL_FORM,
    // Storage account names: 3-24 lowercase letters and digits, globally unique.
    defaultLocation: (platformName) => ({ account: platformName.replace(/[^a-z0-9]/g, '').slice(0, 24).padEnd(3, '0'), bucket: 'artifacts' }),
    url: (location: StorageLocation, prefix?: string) => joinStorageUrl('az', [location.account ?? '', location.bucket], prefix),
    parse: (url) => {
      const split = splitStorageUrl('az', AZ_URL_FORM, [STORAGE_ACCOUNT, CONTAINER], url);
      return split === undefined ? undefined : { location: { account: split.names[0] as string, bucket: split.names[1] as string }, prefix: split.prefix };
    },
  },
  workloadIdentity: {
    annotationKey: 'azure.workload.identity/client-id',
    annotationMeaning: 'user-assigned managed identity client id (Entra workload identity)',
    valuePattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    valueAllowed: 'a managed identity client id (a UUID)',
    podLabels: { 'azure.workload.identity/use': 'true' },
  },
  platformStack: {
    identityOutputPrefix: 'identity',
    bucketOutput: 'storage_container',
    apiServerUrl: (endpoint) => `https://${endpoint}:443`,
    // AKS with Entra ID only: kubelogin turns the Azure CLI sign-in into a token for the AKS server application.
    credentialExec: () => ({ apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args: ['get-token', '--login', 'azurecli', '--server-id', '6dae42f8-4368-4678-94ff-3960e28e3630'] }),
    credentialTool: 'kubelogin (az aks install-cli) and the Azure CLI signed in',
  },
  // Trainers get user delegation SAS tokens for their job's keys only; their own identity holds no blob role.
  jobCredentials: JobCredentialMechanism.USER_DELEGATION_SAS,
  runsNvidiaDevicePlugin: true,
  supportsEfa: false,
  // The storage URL names the account, so the trainer derives https://ACCOUNT.blob.core.windows.net itself;
  // AZURE_STORAGE_ACCOUNT_URL only overrides that endpoint. Credentials come from the identity webhook's variables.
  podEnv: ({ storageEndpoint }) => (storageEndpoint !== undefined ? [{ name: 'AZURE_STORAGE_ACCOUNT_URL', value: storageEndpoint }] : []),
  addedTaints: (capacity) => (capacity === CapacityType.SPOT ? [{ key: 'kubernetes.azure.com/scalesetpriority', value: 'spot', effect: 'NoSchedule' }] : []),
  configIssues: azureConfigIssues,
};
