/** GCP: the cloud profile (GKE, GCS, Workload Identity); the GCP constructs are exported here beside it. */
export * from './profile';
