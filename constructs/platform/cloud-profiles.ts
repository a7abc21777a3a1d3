import { AWS_PROFILE } from '../aws/profile';
import { AZURE_PROFILE } from '../azure/profile';
import { Cloud } from '../catalog/types';
import { GCP_PROFILE } from '../gcp/profile';
import type { CloudProfile } from './cloud-profile';

/** The profile of each cloud (each lives beside that cloud's constructs). */
export const CLOUD_PROFILES: Readonly<Record<Cloud, CloudProfile>> = { [Cloud.AWS]: AWS_PROFILE, [Cloud.GCP]: GCP_PROFILE, [Cloud.AZURE]: AZURE_PROFILE };

export function cloudProfile(cloud: Cloud): CloudProfile {
  return CLOUD_PROFILES[cloud];
}

/** The profile whose storage URL scheme `url` uses, if any. */
export function profileForStorageUrl(url: string): CloudProfile | undefined {
  return Object.values(CLOUD_PROFILES).find((p) => url.toLowerCase().startsWith(`${p.storage.scheme}://`));
}
