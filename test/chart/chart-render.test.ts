/**
 * `charts/vpctune` through the real Helm v4: `helm lint --strict` and `helm template` for every example config's
 * values (from `vpctune platform values`), every core object valid against the Kubernetes 1.34 schemas, and the
 * controller wired as `serve` reads it. The Kueue objects and device plugins: chart-kueue-and-device-plugins.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Cloud } from '../../constructs/catalog';
import { loadConfigFile } from '../../constructs/config';
import { ALL_SERVICE_ACCOUNTS } from '../../constructs/platform';
import { chartValuesFromConfig } from '../../constructs/platform/chart-values';
import { loadSchemaChecker, type SchemaChecker } from '../../images/controller/test/kubernetes/k8s-schema';
import { exampleConfigs, exampleValues, find, idOf, lintChart, podSpecOf, renderChart, type RenderedObject } from './chart-harness';

/** Kinds outside the core API: Kueue's (checked field by field in chart-kueue-and-device-plugins.test.ts) and the ServiceMonitor. */
const CUSTOM_KINDS = ['ResourceFlavor', 'ClusterQueue', 'LocalQueue', 'ServiceMonitor'];

let checker: SchemaChecker;
beforeAll(async () => {
  checker = await loadSchemaChecker();
});

describe.each(exampleConfigs())('the chart with the values of %s', (_file, config) => {
  let objects: RenderedObject[];
  beforeAll(async () => {
    const r = await renderChart(exampleValues(config));
    expect(r.stderr).toBe('');
    objects = r.objects;
  });

  test('GIVEN its values WHEN linted strictly THEN clean', async () => {
    const lint = await lintChart(exampleValues(config));
    expect(lint.status).toBe(0);
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  test('WHEN rendered THEN every core object is valid for Kubernetes 1.34 and nothing else but Kueue objects appears', () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const o of objects.filter((x) => !CUSTOM_KINDS.includes(x.kind))) expect({ id: idOf(o), problems: checker.problems(o) }).toEqual({ id: idOf(o), problems: [] });
    expect([...new Set(objects.filter((x) => CUSTOM_KINDS.includes(x.kind)).map((x) => `${x.apiVersion} ${x.kind}`))].sort()).toEqual([
      'kueue.x-k8s.io/v1beta1 ClusterQueue',
      'kueue.x-k8s.io/v1beta1 LocalQueue',
      'kueue.x-k8s.io/v1beta1 ResourceFlavor',
    ]);
  });

  test('THEN the three platform service accounts exist, with the cloud identity annotation where the outputs give one', () => {
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === 'vpctune');
    expect(accounts.map((a) => a.metadata.name).sort()).toEqual([...ALL_SERVICE_ACCOUNTS].sort());
    const expected = config.cloud === Cloud.AWS ? { 'eks.amazonaws.com/role-arn': `arn:aws:iam::123456789012:role/${config.name}-vpctune-trainer` } : undefined;
    expect(find(objects, 'ServiceAccount', 'vpctune-trainer').metadata.annotations).toEqual(expected);
  });

  test('THEN the controller ConfigMap holds a config `serve` loads back', () => {
    const data = (find(objects, 'ConfigMap', 'vpctune-platform-config') as unknown as { data: Record<string, string> }).data;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-cm-')), 'vpctune.yaml');
    fs.writeFileSync(file, data['vpctune.yaml'] as string);
    const loaded = loadConfigFile(file, { today: '2026-11-22' });
    expect({ name: loaded.name, cloud: loaded.cloud, pools: loaded.gpuPools.map((p) => p.sku.instanceType) }).toEqual({ name: config.name, cloud: config.cloud, pools: config.gpuPools.map((p) => p.sku.instanceType) });
  });
});

describe('the controller Deployment', () => {
  const [, config] = exampleConfigs().find(([f]) => f === 'design-sketch.yaml')!;
  let objects: RenderedObject[];
  beforeAll(async () => {
    objects = (await renderChart(exampleValues(config))).objects;
  });

  test('GIVEN the sketch on AWS WHEN rendered THEN it runs `serve` with its four settings and the console on 8322, the database URL from a Secret and the cloud env', () => {
    const pod = podSpecOf(find(objects, 'Deployment', 'vpctune-controller'))!;
    const c = pod.containers[0]!;
    expect(c.image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/controller:0.1.0');
    expect(c.args).toEqual(['serve', '--max-jobs', '64', '--max-jobs-per-project', '8', '--console-port', '8322']);
    expect(c.env).toEqual([
      { name: 'VPCTUNE_CONFIG_FILE', value: '/etc/vpctune/config/vpctune.yaml' },
      { name: 'VPCTUNE_STORAGE_URL', value: 's3://acme-ft-artifacts-20261122' },
      { name: 'VPCTUNE_TRAINER_IMAGE', value: '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/trainer:0.1.0' },
      { name: 'VPCTUNE_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'vpctune-database', key: 'url' } } },
      { name: 'VPCTUNE_DATA_DIR', value: '/data' },
      { name: 'VPCTUNE_LOG_LEVEL', value: 'info' },
      { name: 'AWS_REGION', value: 'us-east-1' },
      { name: 'AWS_DEFAULT_REGION', value: 'us-east-1' },
    ]);
    expect(c['livenessProbe']).toMatchObject({ httpGet: { path: '/healthz', port: 'http' } });
    expect(c['readinessProbe']).toMatchObject({ httpGet: { path: '/readyz', port: 'http' } });
    expect(c['ports']).toEqual([
      { name: 'http', containerPort: 8321, protocol: 'TCP' },
      { name: 'console', containerPort: 8322, protocol: 'TCP' },
    ]);
    expect(c['volumeMounts']).toEqual([
      { name: 'config', mountPath: '/etc/vpctune/config', readOnly: true },
      { name: 'data', mountPath: '/data' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(pod.serviceAccountName).toBe('vpctune-controller');
    expect(find(objects, 'Deployment', 'vpctune-controller').spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  });

  test('THEN its Role grants exactly what the Kubernetes executor calls, in the platform namespace', () => {
    expect((find(objects, 'Role', 'vpctune-controller') as unknown as { rules: unknown[] }).rules).toEqual([
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'delete', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs/finalizers'], verbs: ['update'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps', 'services'], verbs: ['create'] },
    ]);
    expect(objects.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual(['cluster-autoscaler']);
  });

  test('THEN the NetworkPolicies deny by default and open only the API and the console in, and DNS, the API server, the database, HTTPS and the serving pods out', () => {
    expect(find(objects, 'NetworkPolicy', 'vpctune-default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const spec = find(objects, 'NetworkPolicy', 'vpctune-controller').spec as { ingress: unknown; egress: unknown };
    expect(spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 8321 }, { protocol: 'TCP', port: 8322 }] }]);
    expect(spec.egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ ipBlock: { cidr: '10.42.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.42.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/component': 'server' } } }], ports: [{ protocol: 'TCP', port: 8000 }] },
    ]);
    const serving = find(objects, 'NetworkPolicy', 'vpctune-server').spec as { podSelector: unknown; ingress: unknown };
    expect(serving.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/component': 'server' } });
    expect(serving.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'vpctune-controller' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
    const trainer = find(objects, 'NetworkPolicy', 'vpctune-trainer').spec as { podSelector: unknown; ingress: unknown };
    expect(trainer.podSelector).toEqual({ matchExpressions: [{ key: 'vpctune.dev/job-id', operator: 'Exists' }] });
    expect(trainer.ingress).toEqual([{ from: [{ podSelector: { matchExpressions: [{ key: 'vpctune.dev/job-id', operator: 'Exists' }] } }] }]);
  });

  test('THEN the AWS cluster autoscaler discovers the cluster’s tagged node groups with its IRSA role', () => {
    const c = podSpecOf(find(objects, 'Deployment', 'cluster-autoscaler'))!.containers[0]!;
    expect(c.image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.3');
    expect(c.command).toContain('--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/acme-ft');
    expect(c.command).toContain('--cloud-provider=aws');
    expect(find(objects, 'ServiceAccount', 'cluster-autoscaler').metadata).toMatchObject({ namespace: 'kube-system', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/acme-ft-cluster-autoscaler' } });
  });
});

describe('identity annotations come from the cloud profile, not the chart', () => {
  test.each([
    ['gcp-a100.yaml', { 'iam.gke.io/gcp-service-account': 'trainer@gcp-ft-project.iam.gserviceaccount.com' }, {}],
    ['azure-a100.yaml', { 'azure.workload.identity/client-id': '00000000-0000-0000-0000-000000000001' }, { 'azure.workload.identity/use': 'true' }],
  ])('GIVEN %s with identities WHEN rendered THEN the trainer carries %j and the controller pod the labels %j', async (file, annotations, podLabels) => {
    // GIVEN
    const [, config] = exampleConfigs().find(([f]) => f === file)!;
    const identity = Object.values(annotations)[0] as string;
    const values = chartValuesFromConfig(config, { role_vpctune_trainer: identity, role_vpctune_controller: identity });
    // WHEN
    const { objects } = await renderChart(values);
    // THEN
    expect(find(objects, 'ServiceAccount', 'vpctune-trainer').metadata.annotations).toEqual(annotations);
    expect(find(objects, 'ServiceAccount', 'vpctune-server').metadata.annotations).toBeUndefined();
    const labels = (find(objects, 'Deployment', 'vpctune-controller').spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    expect(labels).toMatchObject(podLabels);
    expect(Object.keys(labels).filter((k) => k.startsWith('azure.'))).toEqual(Object.keys(podLabels));
  });
});
