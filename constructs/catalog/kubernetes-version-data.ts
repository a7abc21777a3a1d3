import { Cloud, KubernetesVersionSupport, Source } from './types';

/**
 * Kubernetes minor versions per managed service with the last day each is supported (standard or extended).
 * A version is "supported today" when today is on or before `endOfSupport`. Refresh from the sources.
 */
const EKS: Source = { url: 'https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html', asOf: '2026-02-14' };
const GKE: Source = { url: 'https://cloud.google.com/kubernetes-engine/docs/release-schedule', asOf: '2026-04-10' };
const AKS: Source = { url: 'https://learn.microsoft.com/en-us/azure/aks/supported-kubernetes-versions', asOf: '2026-04-10' };

// prettier-ignore
export const KUBERNETES_VERSIONS: readonly KubernetesVersionSupport[] = [
  { cloud: Cloud.AWS,   version: '1.31', endOfStandardSupport: '2025-11-26', endOfSupport: '2026-11-26', source: EKS },
  { cloud: Cloud.AWS,   version: '1.32', endOfStandardSupport: '2026-03-23', endOfSupport: '2027-03-23', source: EKS },
  { cloud: Cloud.AWS,   version: '1.33', endOfStandardSupport: '2026-07-29', endOfSupport: '2027-07-29', source: EKS },
  { cloud: Cloud.AWS,   version: '1.34', endOfStandardSupport: '2026-12-02', endOfSupport: '2027-12-02', source: EKS },
  { cloud: Cloud.AWS,   version: '1.35', endOfStandardSupport: '2027-03-27', endOfSupport: '2028-03-27', source: EKS },
  { cloud: Cloud.GCP,   version: '1.33', endOfStandardSupport: '2026-06-30', endOfSupport: '2026-08-03', source: GKE },
  { cloud: Cloud.GCP,   version: '1.34', endOfStandardSupport: '2026-08-30', endOfSupport: '2026-10-01', source: GKE },
  { cloud: Cloud.GCP,   version: '1.35', endOfStandardSupport: '2027-02-28', endOfSupport: '2027-04-11', source: GKE },
  { cloud: Cloud.AZURE, version: '1.33', endOfStandardSupport: '2026-06-30', endOfSupport: '2027-06-30', source: AKS },
  { cloud: Cloud.AZURE, version: '1.34', endOfStandardSupport: '2026-11-30', endOfSupport: '2027-11-30', source: AKS },
  { cloud: Cloud.AZURE, version: '1.35', endOfStandardSupport: '2027-03-31', endOfSupport: '2028-03-31', source: AKS },
];
