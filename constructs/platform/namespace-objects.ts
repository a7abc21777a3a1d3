import type { ResolvedPlatformConfig } from '../config';
import { cloudProfile } from './cloud-profiles';
import { ALL_SERVICE_ACCOUNTS, PLATFORM_NAMESPACE, ServiceAccount } from './conventions';
import type { KubernetesObject } from './kueue';

/**
 * The cloud identity of each service account, as its workload-identity annotation value: an IAM role ARN (AWS
 * IRSA), a Google service account email (GKE Workload Identity) or a managed identity client id (AKS). @default none
 */
export type ServiceAccountIdentities = Readonly<Partial<Record<ServiceAccount, string>>>;
/** The AWS name of `ServiceAccountIdentities` (the values are IAM role ARNs there). */
export type ServiceAccountRoles = ServiceAccountIdentities;

/**
 * The platform namespace and its three service accounts, each annotated with its cloud identity where given (the
 * annotation key is the cloud profile's `workloadIdentity.annotationKey`). A value that is not the cloud's form throws,
 * naming the service account, the value and what is allowed.
 */
export function namespaceObjects(config: ResolvedPlatformConfig, identities: ServiceAccountIdentities = {}): KubernetesObject[] {
  const binding = cloudProfile(config.cloud).workloadIdentity;
  const labels = { 'app.kubernetes.io/part-of': 'vpctune', 'vpctune.dev/platform': config.name };
  const namespace: KubernetesObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PLATFORM_NAMESPACE, labels } };
  const accounts = ALL_SERVICE_ACCOUNTS.map((sa) => {
    const identity = identities[sa];
    if (identity !== undefined && !binding.valuePattern.test(identity)) {
      throw new Error(`service account ${sa}: identity ${JSON.stringify(identity)} is not ${binding.valueAllowed} (the ${binding.annotationKey} annotation on ${config.cloud})`);
    }
    return {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: sa,
        namespace: PLATFORM_NAMESPACE,
        labels,
        ...(identity !== undefined ? { annotations: { [binding.annotationKey]: identity } } : {}),
      },
    } as KubernetesObject;
  });
  return [namespace, ...accounts];
}
