/** Cloud-neutral platform layer: the conventions every part shares and the in-cluster objects built from a config. */
export * from './conventions';
export * from './bucket-keys';
export * from './job-access';
export * from './kueue';
export * from './namespace-objects';
export * from './device-plugins';
export * from './cloud-profile';
export * from './cloud-profiles';
export * from './storage-url';
export * from './chart-values';
