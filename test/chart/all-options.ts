/** A values file with every option of `charts/vpctune` turned on, from the AWS example with every GPU. */
import { parseConfig } from '../../constructs/config';
import { chartValuesFromConfig } from '../../constructs/platform/chart-values';
import { awsOutputs, exampleConfigs, merged, TODAY, writtenExample } from './chart-harness';

export const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** The served model of the every-option values: an 8B model on the example's H100 pool. */
export const SERVED_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

export function allOptionsValues(): Record<string, unknown> {
  const [, example] = exampleConfigs().find(([f]) => f === 'aws-all-gpus.yaml')!;
  const written = { ...writtenExample(example), serving: [{ model: SERVED_MODEL, pool: 'h100', replicas: 2, maxLoras: 8, maxLoraRank: 64 }] };
  const config = parseConfig(written, TODAY);
  return merged(chartValuesFromConfig(config, awsOutputs(config), { imageTag: '0.2.0', databaseUrlSecret: { name: 'controller-db', key: 'DATABASE_URL' }, writtenConfig: written }), {
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
    console: { enabled: true, port: 8443 },
    trainer: { image: { digest: DIGEST } },
    serving: { image: { digest: DIGEST } },
    networkPolicy: {
      apiIngressFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
      objectStoreCidrs: ['52.216.0.0/15', '3.5.0.0/19'],
    },
    kueue: { queueingStrategy: 'StrictFIFO' },
    devicePlugins: { nvidia: { image: { digest: DIGEST } }, efa: { image: { digest: DIGEST } } },
    clusterAutoscaler: { expander: 'priority', scaleDownUnneededTime: '30m', image: { digest: DIGEST } },
  });
}
