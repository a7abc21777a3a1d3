/** Cloud-neutral platform layer: the conventions every part shares, the cloud profiles and the chart's values from a config. */
export * from './conventions';
export * from './bucket-keys';
export * from './job-access';
export * from './cloud-profile';
export * from './cloud-profiles';
export * from './storage-url';
export * from './chart-values';
