/** Azure: the cloud profile (AKS, Blob Storage, Azure workload identity) and the Azure constructs, one per concern. */
export * from './profile';
export * from './naming';
export * from './network';
export * from './private-link-endpoint';
export * from './key-vault';
export * from './cluster';
export * from './disk-encryption-set';
export * from './gpu-node-pool';
export * from './artifact-store';
export * from './abac-condition';
export * from './image-registry';
export * from './workload-identity';
export * from './bastion';
export * from './azure-platform';
