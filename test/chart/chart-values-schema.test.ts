/**
 * `values.schema.json` through Helm's own validation: a values file with every option on passes `helm lint --strict`
 * and renders each option; bad values fail with Helm's message naming the value's path, the value and the rule.
 */
import { loadSchemaChecker } from '../../images/controller/test/kubernetes/k8s-schema';
import { servingServiceName } from '../../constructs/platform/serving-names';
import { allOptionsValues, DIGEST, SERVED_MODEL } from './all-options';
import { exampleConfigs, exampleValues, find, idOf, lintChart, podSpecOf, renderChart } from './chart-harness';

const SCHEMA_ERROR = "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nvpctune:\n";

describe('every option on', () => {
  test('GIVEN every option WHEN linted strictly and rendered THEN clean, and each option shows in the objects', async () => {
    // GIVEN
    const values = allOptionsValues();
    // WHEN
    const lint = await lintChart(values);
    const { objects, stderr } = await renderChart(values);
    // THEN
    expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(stderr).toBe('');
    const checker = await loadSchemaChecker();
    for (const o of objects.filter((x) => !['ResourceFlavor', 'ClusterQueue', 'LocalQueue', 'ServiceMonitor'].includes(x.kind))) expect({ id: idOf(o), problems: checker.problems(o) }).toEqual({ id: idOf(o), problems: [] });

    const controller = find(objects, 'Deployment', 'vpctune-controller');
    const pod = podSpecOf(controller)!;
    const c = pod.containers[0]!;
    expect(c.image).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/vpctune-demo/controller@${DIGEST}`);
    expect(c.args).toEqual(['serve', '--max-jobs', '200', '--max-jobs-per-project', '20', '--console-port', '8322']);
    expect(c.env).toEqual(
      expect.arrayContaining([
        { name: 'VPCTUNE_TRAINER_IMAGE', value: `123456789012.dkr.ecr.us-east-1.amazonaws.com/vpctune-demo/trainer@${DIGEST}` },
        { name: 'VPCTUNE_DATABASE_URL', valueFrom: { secretKeyRef: { name: 'controller-db', key: 'DATABASE_URL' } } },
        { name: 'VPCTUNE_API_KEY', valueFrom: { secretKeyRef: { name: 'bootstrap-key', key: 'key' } } },
        { name: 'NODE_EXTRA_CA_CERTS', value: '/etc/vpctune/database-ca/global-bundle.pem' },
        { name: 'VPCTUNE_LOG_LEVEL', value: 'debug' },
      ]),
    );
    expect(pod.volumes).toContainEqual({ name: 'database-ca', configMap: { name: 'rds-ca' } });
    expect(pod['tolerations']).toEqual([{ key: 'CriticalAddonsOnly', operator: 'Exists' }]);
    expect((controller.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations['example.com/team']).toBe('ml-platform');
    expect(find(objects, 'Service', 'vpctune-controller').spec).toMatchObject({
      type: 'LoadBalancer',
      ports: [
        { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
        { name: 'console', port: 8443, targetPort: 'console', protocol: 'TCP' },
      ],
    });
    expect(find(objects, 'ServiceMonitor', 'vpctune-controller')).toMatchObject({
      apiVersion: 'monitoring.coreos.com/v1',
      metadata: { namespace: 'vpctune', labels: { release: 'prometheus' } },
      spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'vpctune-controller' } }, endpoints: [{ port: 'http', path: '/metrics', interval: '15s' }] },
    });
    expect((find(objects, 'NetworkPolicy', 'vpctune-controller').spec as { ingress: unknown }).ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 8321 }, { protocol: 'TCP', port: 8322 }], from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
    ]);
    expect((find(objects, 'ClusterQueue', 'vpctune').spec as { queueingStrategy: string }).queueingStrategy).toBe('StrictFIFO');
    for (const name of ['nvidia-device-plugin', 'aws-efa-k8s-device-plugin']) expect(podSpecOf(find(objects, 'DaemonSet', name))!.containers[0]!.image).toMatch(new RegExp(`@${DIGEST}$`));
    const ca = podSpecOf(find(objects, 'Deployment', 'cluster-autoscaler'))!.containers[0]!;
    expect(ca.image).toBe(`registry.k8s.io/autoscaling/cluster-autoscaler@${DIGEST}`);
    expect(ca.command).toEqual(expect.arrayContaining(['--expander=priority', '--scale-down-unneeded-time=30m']));
    const served = servingServiceName(SERVED_MODEL);
    const server = find(objects, 'Deployment', served);
    expect(server.spec).toMatchObject({ replicas: 2 });
    const sc = podSpecOf(server)!.containers[0]!;
    expect(sc.image).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/vpctune-demo/server@${DIGEST}`);
    expect(sc.resources).toEqual({ limits: { 'nvidia.com/gpu': 8, memory: '1677721Mi' }, requests: { 'nvidia.com/gpu': 8, cpu: '153600m', memory: '1677721Mi' } });
    expect(sc.env).toContainEqual({ name: 'AWS_REGION', value: 'us-east-1' });
    expect(JSON.parse(sc.env!.find((e) => e.name === 'VPCTUNE_SERVING_CONFIG')!.value as string)).toEqual({
      model: `s3://vpctune-demo-artifacts-20261122/models/${SERVED_MODEL}/`,
      servedModelName: SERVED_MODEL,
      maxLoras: 8,
      maxLoraRank: 64,
      maxCpuLoras: 32,
      tensorParallelSize: 8,
      port: 8000,
    });
    expect(find(objects, 'Service', served).spec).toMatchObject({ selector: { 'vpctune.dev/served-model': served }, ports: [{ name: 'http', port: 8000, targetPort: 'http' }] });
    expect(find(objects, 'PodDisruptionBudget', 'vpctune-controller').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'vpctune-controller' } } });
  });

  test('GIVEN optional parts off WHEN rendered THEN no PDB, no NetworkPolicy, no Kueue objects, no device plugins, no autoscaler', async () => {
    const [, config] = exampleConfigs().find(([f]) => f === 'aws-all-gpus.yaml')!;
    const values = { ...exampleValues(config), networkPolicy: { enabled: false }, kueue: { enabled: false }, devicePlugins: { nvidia: { enabled: false }, efa: { enabled: false } }, clusterAutoscaler: { enabled: false } };
    const r = await renderChart(values, { set: ['controller.podDisruptionBudget.enabled=false'] });
    expect(r.stderr).toBe('');
    expect(r.objects.map(idOf).sort()).toEqual([
      'ConfigMap/vpctune/vpctune-platform-config',
      'Deployment/vpctune/vpctune-controller',
      'Role/vpctune/vpctune-controller',
      'RoleBinding/vpctune/vpctune-controller',
      'Service/vpctune/vpctune-controller',
      'ServiceAccount/vpctune/vpctune-controller',
      'ServiceAccount/vpctune/vpctune-server',
      'ServiceAccount/vpctune/vpctune-trainer',
    ]);
  });
});

describe('bad values fail with Helm’s schema message', () => {
  const [, config] = exampleConfigs().find(([f]) => f === 'design-sketch.yaml')!;

  test.each([
    ['controller.storageUrl=ftp://bucket', "- at '/controller/storageUrl': 'ftp://bucket' does not match pattern '^(s3|gs|az)://[a-z0-9][a-z0-9.-]*[a-z0-9](/.*)?$'\n"],
    ['controller.image.tag=latest', "- at '/controller/image/tag': 'latest' does not match pattern '^v?[0-9][A-Za-z0-9_.+-]{0,127}$'\n"],
    ['controller.logLevel=loud', "- at '/controller/logLevel': value must be one of 'debug', 'info', 'warn', 'error'\n"],
    ['controller.maxJobs=0', "- at '/controller/maxJobs': minimum: got 0, want 1\n"],
    ['controller.database.urlSecret.name=', "- at '/controller/database/urlSecret/name': '' does not match pattern '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'\n"],
    ['networkPolicy.databaseCidrs[0]=10.0.0.0/33', "- at '/networkPolicy/databaseCidrs/0': '10.0.0.0/33' does not match pattern '^([0-9]{1,3}\\\\.){3}[0-9]{1,3}/([0-9]|[12][0-9]|3[0-2])$'\n"], // Helm prints the pattern's backslash escaped
    ['pools[0].gpu=B200', "- at '/pools/0/gpu': value must be one of 'A10G', 'L40S', 'A100-40GB', 'A100-80GB', 'H100'\n"],
    ['clusterAutoscaler.roleArn=', "- at '/clusterAutoscaler/roleArn': minLength: got 0, want 1\n"],
    ['controller.replicas=2', "- at '/controller': additional properties 'replicas' not allowed\n"],
  ])('GIVEN --set %s WHEN rendered THEN refused: %s', async (set, message) => {
    // GIVEN / WHEN
    const r = await renderChart(exampleValues(config), { set: [set] });
    // THEN
    expect(r.status).toBe(1);
    // Helm ends its message with an empty line
    expect(r.stderr).toBe(`${SCHEMA_ERROR}${message}\n`);
  });

  test('GIVEN the chart’s own defaults WHEN rendered THEN every value a platform must give is named', async () => {
    const r = await renderChart({});
    expect(r.status).toBe(1);
    for (const path of ['/controller/storageUrl', '/controller/image/repository', '/controller/database/urlSecret/name', '/trainer/image/repository', '/platform/name', '/platform/config', '/networkPolicy/kubernetesApiCidrs', '/networkPolicy/databaseCidrs']) {
      expect(r.stderr).toContain(`at '${path}'`);
    }
  });

  test('GIVEN another namespace WHEN rendered THEN refused: the controller’s Jobs live in vpctune', async () => {
    const r = await renderChart(exampleValues(config), { namespace: 'default' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the vpctune chart installs into namespace vpctune (the platform namespace the controller's Jobs use), not default: pass --namespace vpctune");
  });
});
