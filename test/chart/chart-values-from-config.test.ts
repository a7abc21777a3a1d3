/**
 * `chartValuesFromConfig`: what the values are before a deploy (placeholders a review can read) and after (the
 * stack's outputs), and the facts it shares with the chart and the AWS constructs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } from '../../constructs/aws';
import { Cloud, KUBERNETES_VERSIONS } from '../../constructs/catalog';
import { chartValuesFromConfig, CLUSTER_AUTOSCALER_TAGS, configForController, DEFAULT_IMAGE_TAG } from '../../constructs/platform/chart-values';
import { awsOutputs, CHART, exampleConfigs } from './chart-harness';

const sketch = exampleConfigs().find(([f]) => f === 'design-sketch.yaml')![1];

test('GIVEN no outputs WHEN values are derived THEN placeholders from the config and the profile, no identities, no autoscaler', () => {
  // WHEN
  const v = chartValuesFromConfig(sketch) as { controller: { image: unknown; storageUrl: string; env: unknown }; trainer: { image: unknown }; serviceAccounts: unknown; clusterAutoscaler: unknown; workloadIdentity: unknown };
  // THEN
  expect(v.controller.image).toEqual({ repository: 'acme-ft/controller', tag: '0.1.0', digest: '', pullPolicy: 'IfNotPresent' });
  expect(v.trainer.image).toEqual({ repository: 'acme-ft/trainer', tag: '0.1.0', digest: '' });
  expect(v.controller.storageUrl).toBe('s3://acme-ft-artifacts');
  expect(v.controller.env).toEqual([{ name: 'AWS_REGION', value: 'us-east-1' }, { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' }]);
  expect(v.workloadIdentity).toEqual({ annotationKey: 'eks.amazonaws.com/role-arn', podLabels: {} });
  expect(v.serviceAccounts).toEqual({ controller: { identity: '' }, trainer: { identity: '' }, server: { identity: '' } });
  expect(v.clusterAutoscaler).toEqual({ enabled: false });
});

test('GIVEN the AWS stack outputs WHEN values are derived THEN registry, bucket, roles and the autoscaler come from them', () => {
  const v = chartValuesFromConfig(sketch, { ...awsOutputs(sketch), registry_controller: '1.dkr.ecr.us-east-1.amazonaws.com/acme-ft/controller:ignored' }) as {
    controller: { image: { repository: string }; storageUrl: string };
    serviceAccounts: { controller: { identity: string } };
    clusterAutoscaler: unknown;
  };
  expect(v.controller.image.repository).toBe('1.dkr.ecr.us-east-1.amazonaws.com/acme-ft/controller');
  expect(v.controller.storageUrl).toBe('s3://acme-ft-artifacts-20261122');
  expect(v.serviceAccounts.controller.identity).toBe('arn:aws:iam::123456789012:role/acme-ft-vpctune-controller');
  expect(v.clusterAutoscaler).toEqual({
    enabled: true,
    clusterName: 'acme-ft',
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::123456789012:role/acme-ft-cluster-autoscaler',
    image: { repository: 'registry.k8s.io/autoscaling/cluster-autoscaler', tag: 'v1.34.3', digest: '' },
  });
});

test('GIVEN a Kubernetes minor without a known autoscaler release WHEN the autoscaler is asked for THEN refused with the known ones', () => {
  expect(() => chartValuesFromConfig({ ...sketch, kubernetes: { ...sketch.kubernetes, version: '1.29' } }, awsOutputs(sketch))).toThrow(
    'chartValuesFromConfig: no cluster autoscaler release known for Kubernetes 1.29; known: 1.31, 1.32, 1.33, 1.34, 1.35',
  );
});

test('the values agree with the chart and the constructs: appVersion, autoscaler releases for every EKS version, the autoscaler account', () => {
  const chart = parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
  expect(chart.appVersion).toBe(DEFAULT_IMAGE_TAG);
  const eks = KUBERNETES_VERSIONS.filter((v) => v.cloud === Cloud.AWS).map((v) => v.version);
  expect(eks.filter((v) => CLUSTER_AUTOSCALER_TAGS[v] === undefined)).toEqual([]);
  for (const [minor, tag] of Object.entries(CLUSTER_AUTOSCALER_TAGS)) expect(tag).toMatch(new RegExp(`^v${minor.replace('.', '\\.')}\\.\\d+$`));
  const rbac = fs.readFileSync(path.join(CHART, 'templates', 'cluster-autoscaler', 'rbac.yaml'), 'utf8');
  expect(rbac).toContain(`namespace: ${CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.namespace}`);
  expect(fs.readFileSync(path.join(CHART, 'templates', '_helpers.tpl'), 'utf8')).toContain(`{{- define "vpctune.autoscalerName" -}}${CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.name}{{- end -}}`);
});

test('the controller’s copy of the config has no catalog shapes (the config schema is strict)', () => {
  const copy = configForController(sketch) as { gpuPools: Record<string, unknown>[] };
  expect(copy.gpuPools.map((p) => Object.keys(p).includes('sku'))).toEqual([false, false]);
});

test('GIVEN the config as written WHEN values are derived THEN the ConfigMap carries it unchanged', () => {
  const written = { name: 'acme-ft', cloud: 'aws', region: 'us-east-1', network: { cidr: '10.42.0.0/16' }, gpuPools: [] };
  expect((chartValuesFromConfig(sketch, {}, { writtenConfig: written }) as { platform: { config: unknown } }).platform.config).toBe(written);
});

test('GIVEN an API range and an external database WHEN values are derived THEN the NetworkPolicy CIDRs are theirs, else the VPC', () => {
  const net = (v: unknown) => (v as { networkPolicy: { kubernetesApiCidrs: string[]; databaseCidrs: string[] } }).networkPolicy;
  expect(net(chartValuesFromConfig(sketch))).toMatchObject({ kubernetesApiCidrs: ['10.42.0.0/16'], databaseCidrs: ['10.42.0.0/16'] });
  expect(net(chartValuesFromConfig(sketch, { kubernetes_api_cidrs: ['172.16.0.0/28'] }, { databaseCidrs: ['10.99.0.10/32'] }))).toMatchObject({ kubernetesApiCidrs: ['172.16.0.0/28'], databaseCidrs: ['10.99.0.10/32'] });
});
