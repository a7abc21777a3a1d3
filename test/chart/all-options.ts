/** A values file with every option of `charts/vpctune` turned on, from the AWS example with every GPU. */
import { Cloud } from '../../constructs/catalog';
import { awsOutputs, exampleConfigs, merged } from './chart-harness';
import { chartValuesFromConfig } from '../../constructs/platform/chart-values';

export const DIGEST = `sha256:${'ab'.repeat(32)}`;

export function allOptionsValues(): Record<string, unknown> {
  const [, config] = exampleConfigs().find(([, c]) => c.cloud === Cloud.AWS && c.gpuPools.some((p) => p.efa))!;
  return merged(chartValuesFromConfig(config, awsOutputs(config), { imageTag: '0.2.0', databaseUrlSecret: { name: 'controller-db', key: 'DATABASE_URL' } }), {
    controller: {
      image: { digest: DIGEST, pullPolicy: 'Always' },
      logLevel: 'debug',
      maxJobs: 200,
      maxJobsPerProject: 20,
      database: { caBundle: { configMap: 'rds-ca', key: 'global-bundle.pem' } },
      apiKeySecret: { name: 'bootstrap-key', key: 'key' },
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      podAnnotations: { 'example.com/team': 'ml-platform' },
      service: { type: 'LoadBalancer', port: 8080 },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      serviceMonitor: { enabled: true, interval: '15s', labels: { release: 'prometheus' } },
    },
    trainer: { image: { digest: DIGEST } },
    networkPolicy: {
      apiIngressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      objectStoreCidrs: ['52.216.0.0/15', '3.5.0.0/19'],
    },
    kueue: { queueingStrategy: 'StrictFIFO' },
    devicePlugins: { nvidia: { image: { digest: DIGEST } }, efa: { image: { digest: DIGEST } } },
    clusterAutoscaler: { expander: 'priority', scaleDownUnneededTime: '30m', image: { digest: DIGEST } },
  });
}
