import { AWS_PROFILE } from '../aws/profile';
import { AZURE_PROFILE } from '../azure/profile';
import { Cloud } from '../catalog/types';
import { GCP_PROFILE } from '../gcp/profile';
import type { CloudProfile, ParsedStorageUrl } from './cloud-profile';
import { StorageUrlError } from './storage-url';

/** The profile of each cloud (each lives beside that cloud's constructs), in the catalog's cloud order. */
export const CLOUD_PROFILES: Readonly<Record<Cloud, CloudProfile>> = { [Cloud.AWS]: AWS_PROFILE, [Cloud.GCP]: GCP_PROFILE, [Cloud.AZURE]: AZURE_PROFILE };

export function cloudProfile(cloud: Cloud): CloudProfile {
  return CLOUD_PROFILES[cloud];
}

/** The profile whose storage URL scheme `url` uses (scheme compared case-insensitively), if any. */
export function profileForStorageUrl(url: string): CloudProfile | undefined {
  return Object.values(CLOUD_PROFILES).find((p) => url.toLowerCase().startsWith(`${p.storage.scheme}://`));
}

/** Every cloud's storage URL form, for messages: `s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX]`. */
export const CLOUD_STORAGE_URL_FORMS = Object.values(CLOUD_PROFILES)
  .map((p) => p.storage.urlForm)
  .join(', ');

/**
 * A cloud storage URL read through its cloud's profile: the cloud, the location and the key prefix. Throws
 * `StorageUrlError` naming the URL and the forms allowed when no cloud uses its scheme, or the profile's message when
 * a name in it is missing or invalid.
 */
export function parseCloudStorageUrl(url: string): ParsedStorageUrl & { readonly cloud: Cloud } {
  const profile = profileForStorageUrl(url);
  const parsed = profile?.storage.parse(url);
  if (profile === undefined || parsed === undefined) throw new StorageUrlError(`${url} is not a cloud storage URL; allowed: ${CLOUD_STORAGE_URL_FORMS}`);
  return { cloud: profile.cloud, ...parsed };
}
