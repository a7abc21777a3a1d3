/** The accelerator catalog: one table of GPUs and per-cloud shapes, read by stacks, controller and estimator. */
export * from './types';
export * from './lookup';
export { ACCELERATORS } from './accelerator-data';
export { NOT_SOLD } from './not-sold-data';
export { KUBERNETES_VERSIONS } from './kubernetes-version-data';
