/** AWS constructs: one per concern. Import what you need, or compose them with AwsPlatform. */
export * from './network';
export * from './cluster';
export * from './gpu-node-pool';
export * from './artifact-store';
export * from './image-registry';
export * from './workload-identity';
export * from './bastion';
export * from './database';
export * from './cluster-autoscaler-identity';
export * from './encryption-key';
export * from './node-launch-template';
export * from './aws-platform';
export * from './key-policy';
export * from './vpc-flow-logs';
export * from './vpc-cni-addon';
export * from './vpc-endpoint-services';
