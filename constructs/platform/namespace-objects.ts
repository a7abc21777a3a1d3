import type { ResolvedPlatformConfig } from '../config';
import { ALL_SERVICE_ACCOUNTS, PLATFORM_NAMESPACE, ServiceAccount } from './conventions';
import type { KubernetesObject } from './kueue';

/** Workload identity of each service account: the IAM role ARN (AWS IRSA annotation) when known. */
export type ServiceAccountRoles = Readonly<Partial<Record<ServiceAccount, string>>>;

/** The platform namespace and its three service accounts, annotated with their cloud identities where given. */
export function namespaceObjects(config: ResolvedPlatformConfig, roles: ServiceAccountRoles = {}): KubernetesObject[] {
  const labels = { 'app.kubernetes.io/part-of': 'vpctune', 'vpctune.dev/platform': config.name };
  const namespace: KubernetesObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: PLATFORM_NAMESPACE, labels } };
  const accounts = ALL_SERVICE_ACCOUNTS.map((sa) => {
    const role = roles[sa];
    return {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: sa,
        namespace: PLATFORM_NAMESPACE,
        labels,
        ...(role !== undefined ? { annotations: { 'eks.amazonaws.com/role-arn': role } } : {}),
      },
    } as KubernetesObject;
  });
  return [namespace, ...accounts];
}
