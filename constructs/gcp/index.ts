/** GCP: the cloud profile (GKE, GCS, Workload Identity) and the GCP constructs, one per concern; GcpPlatform composes them. */
export * from './profile';
export * from './subnet-ranges';
export * from './network';
export * from './encryption-key';
export * from './service-agents';
export * from './node-service-account';
export * from './node-config';
export * from './cluster';
export * from './gpu-zones';
export * from './gpu-node-pool';
export * from './artifact-store';
export * from './image-registry';
export * from './workload-identity';
export * from './bastion';
export * from './gcp-platform';
