import { AZURE_PROFILE } from './profile';

/**
 * Names of a platform's Azure resources, all derived from the platform name (3-24 lowercase letters, digits and
 * dashes). Globally unique names (key vault, storage account, registry) follow Azure's own character rules.
 */
export interface AzureNames {
  readonly resourceGroup: string;
  /** 3-24 letters, digits and dashes, globally unique. */
  readonly keyVault: string;
  /** 5-50 letters and digits, globally unique. */
  readonly registry: string;
  /** The storage account (3-24 lowercase letters and digits) and the platform container. */
  readonly storageAccount: string;
  readonly container: string;
}

export function azureNames(platformName: string): AzureNames {
  const storage = AZURE_PROFILE.storage.defaultLocation(platformName);
  const compact = platformName.replace(/[^a-z0-9]/g, '');
  return {
    resourceGroup: `${platformName}-rg`,
    keyVault: `${platformName.slice(0, 21).replace(/-+$/, '')}-kv`,
    registry: `${compact}acr`.padEnd(5, '0'),
    storageAccount: storage.account ?? compact,
    container: storage.bucket,
  };
}
