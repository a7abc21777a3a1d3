import { Cloud } from '../catalog/types';
import type { ConfigIssue } from '../config/issues';
import { databaseSizeIssues } from '../platform/database-config';
import { FLEXIBLE_SERVER_SIZE_RULES } from './database-size';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Azure-only fields (the azure block, admin groups, the azurerm backend's account and resource group) are refused on
 * other clouds; on Azure the azurerm backend needs its storage account, a bastion needs its SSH key, and one NAT
 * gateway serves the node subnet; the database's instanceClass and storageGiB are a flexible server SKU and size.
 */
export function azureConfigIssues(input: Obj, cloud: Cloud): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string, value: unknown, message: string): void => {
    issues.push({ path, value, message });
  };
  const k8s = isObj(input.kubernetes) ? input.kubernetes : undefined;
  const state = isObj(input.state) ? input.state : undefined;
  if (cloud !== Cloud.AZURE) {
    if (input.azure !== undefined) add('azure', input.azure, `applies to cloud azure only; remove it for cloud ${cloud}`);
    if (k8s?.adminGroupObjectIds !== undefined) add('kubernetes.adminGroupObjectIds', k8s.adminGroupObjectIds, `are Entra ID groups for AKS and cannot be used with cloud ${cloud}`);
    if (state?.storageAccount !== undefined) add('state.storageAccount', state.storageAccount, `applies to the azurerm backend only; remove it for cloud ${cloud}`);
    if (state?.resourceGroup !== undefined) add('state.resourceGroup', state.resourceGroup, `applies to the azurerm backend only; remove it for cloud ${cloud}`);
    return issues;
  }
  if (state !== undefined && state.storageAccount === undefined) add('state.storageAccount', undefined, 'is required for the azurerm backend on cloud azure: the storage account holding the state container (bucket)');
  for (const field of ['region', 'dynamodbTable'] as const) {
    if (state?.[field] !== undefined) add(`state.${field}`, state[field], `applies to the S3 backend only; the azurerm backend takes storageAccount, bucket (the container), key and resourceGroup`);
  }
  const azure = isObj(input.azure) ? input.azure : undefined;
  if (isObj(input.bastion) && input.bastion.enabled === true && azure?.bastionSshPublicKey === undefined) {
    add('azure.bastionSshPublicKey', undefined, 'is required when bastion.enabled is true on cloud azure: the OpenSSH public key of the bastion VM user');
  }
  const storage = isObj(input.storage) ? input.storage : undefined;
  if (storage?.noncurrentVersionRetentionDays !== undefined) {
    add('storage.noncurrentVersionRetentionDays', storage.noncurrentVersionRetentionDays, 'has no effect on azure: the storage account has a hierarchical namespace (per-job directory tokens), which has no blob versioning; deleted blobs are kept 7 days by soft delete instead; remove it');
  }
  const network = isObj(input.network) ? input.network : undefined;
  if (network?.natGateways === 'per-az') add('network.natGateways', 'per-az', 'is not available on azure: one NAT gateway serves the node subnet; allowed: single');
  issues.push(...databaseSizeIssues(input, 'Azure', FLEXIBLE_SERVER_SIZE_RULES));
  return issues;
}
