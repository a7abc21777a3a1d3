/** Azure: the cloud profile (AKS, Blob Storage, Azure workload identity); the Azure constructs are exported here beside it. */
export * from './profile';
