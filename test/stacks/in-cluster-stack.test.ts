/**
 * The in-cluster stack `vpctune synth` writes beside every platform stack: Kueue's chart and the vpctune chart pinned,
 * the chart's values from the platform stack's outputs (read from its state), the database Secret where the platform
 * has a database, providers wired to the cluster outputs with the cloud's exec plugin, and state of its own.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cloudProfile, PLATFORM_NAMESPACE } from '../../constructs/platform';
import { stackIdFor } from '../../stacks/aws-platform-stack';
import { appFor, buildApp, synthesize } from '../../stacks/build-app';
import { parseConfig, validateConfig } from '../../constructs/config';
import { escapeTemplateLiterals, inClusterStackId, KUEUE_CHART } from '../../stacks/in-cluster-stack';
import { inClusterStateKey } from '../../stacks/in-cluster-stack-state';
import { exampleConfigs, REPO, TODAY } from '../chart/chart-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-in-cluster-'));
const EXAMPLES = exampleConfigs();
beforeAll(() => {
  synthesize(buildApp(EXAMPLES.map(([f]) => path.join(REPO, 'stacks', 'examples', f)), OUT, TODAY));
});
const stackDir = (id: string) => path.join(OUT, 'stacks', id);
const stackJson = (id: string): Json => JSON.parse(fs.readFileSync(path.join(stackDir(id), 'cdk.tf.json'), 'utf8')) as Json;
const ref = (output: string) => `\${data.terraform_remote_state.platform.outputs.${output}}`;

describe.each(EXAMPLES)('the in-cluster stack of %s', (file, config) => {
  const platformId = stackIdFor(config);
  const id = inClusterStackId(platformId);
  const facts = cloudProfile(config.cloud).platformStack;
  let json: Json;
  let values: Json;
  beforeAll(() => {
    json = stackJson(id);
    values = JSON.parse(json['resource']['helm_release']['vpctune']['values'][0] as string) as Json;
  });

  test('GIVEN the example WHEN synthesized THEN Kueue’s chart is pinned and installed before the vpctune chart, which is the packaged chart copied into the stack', () => {
    // THEN
    const releases = json['resource']['helm_release'];
    expect(releases['kueue']).toMatchObject({ name: 'kueue', repository: 'oci://registry.k8s.io/kueue/charts', chart: 'kueue', version: '0.14.2', namespace: 'kueue-system', create_namespace: true, atomic: true });
    expect(KUEUE_CHART.version).toMatch(/^\d+\.\d+\.\d+$/);
    const vpctune = releases['vpctune'];
    expect(vpctune).toMatchObject({ name: 'vpctune', namespace: '${kubernetes_namespace_v1.namespace.metadata[0].name}', atomic: true });
    expect(vpctune['depends_on'][0]).toBe('helm_release.kueue');
    expect(vpctune['chart']).toMatch(/^assets\/vpctune-chart\/[0-9A-F]+$/);
    const chartYaml = parse(fs.readFileSync(path.join(stackDir(id), vpctune['chart'] as string, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
    const packaged = parse(fs.readFileSync(path.join(REPO, 'charts', 'vpctune', 'Chart.yaml'), 'utf8')) as { name: string; version: string };
    expect(chartYaml).toEqual(packaged);
    expect(json['resource']['kubernetes_namespace_v1']['namespace']['metadata']).toEqual({ name: PLATFORM_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'vpctune', 'vpctune.dev/platform': config.name } });
  });

  test('THEN the values name the platform, carry the config as written and take registry, bucket and identities from the platform stack’s outputs', () => {
    const written = parse(fs.readFileSync(path.join(REPO, 'stacks', 'examples', file), 'utf8')) as unknown;
    expect(values['platform']).toEqual({ name: config.name, config: written });
    expect(values['controller']['image']['repository']).toBe(ref('registry_controller'));
    expect(values['trainer']['image']['repository']).toBe(ref('registry_trainer'));
    expect(values['controller']['storageUrl']).toContain(ref(facts.bucketOutput));
    expect(values['serviceAccounts']).toEqual({
      controller: { identity: ref(`${facts.identityOutputPrefix}_vpctune_controller`) },
      trainer: { identity: ref(`${facts.identityOutputPrefix}_vpctune_trainer`) },
      server: { identity: ref(`${facts.identityOutputPrefix}_vpctune_server`) },
    });
    expect(values['controller']['database']['urlSecret']).toEqual({ name: 'vpctune-database', key: 'url' });
    // the autoscaler runs where the platform stack has its role (AWS)
    expect(values['clusterAutoscaler']['enabled']).toBe(config.cloud === 'aws');
  });

  test('THEN the Kubernetes and Helm providers reach the cluster from the platform outputs and sign in with the cloud’s exec plugin', () => {
    const exec = facts.credentialExec(ref('cluster_name'), config.region);
    const host = facts.apiServerUrl(ref('cluster_endpoint'));
    const ca = `\${base64decode(${ref('cluster_ca_certificate').slice(2, -1)})}`;
    const execJson = { api_version: exec.apiVersion, command: exec.command, args: exec.args };
    expect(json['provider']['kubernetes']).toEqual([{ host, cluster_ca_certificate: ca, exec: [execJson] }]);
    expect(json['provider']['helm']).toEqual([{ kubernetes: { host, cluster_ca_certificate: ca, exec: execJson } }]);
  });

  test('THEN it keeps its own state in the platform’s backend and reads the platform’s outputs from that stack’s state', () => {
    const platformBackend = stackJson(platformId)['terraform']['backend'] as Json;
    const [kind, props] = Object.entries(platformBackend)[0] as [string, Json];
    const remote = json['data']['terraform_remote_state']['platform'];
    if (kind === 'local') {
      expect(json['terraform']['backend']).toEqual({ local: { path: 'terraform.tfstate' } });
      expect(remote).toEqual({ backend: 'local', config: { path: `../${platformId}/terraform.tfstate` } });
    } else {
      const keyField = kind === 'gcs' ? 'prefix' : 'key';
      expect(json['terraform']['backend']).toEqual({ [kind]: { ...props, [keyField]: inClusterStateKey(props[keyField] as string) } });
      expect(remote).toMatchObject({ backend: kind, config: props });
    }
  });
});

/** Synthesizes the in-cluster stack of an example config changed by `change` (a written config) and returns its JSON. */
function synthChanged(example: string, change: (written: Json) => Json): Json {
  // GIVEN
  const written = change(parse(fs.readFileSync(path.join(REPO, 'stacks', 'examples', example), 'utf8')) as Json);
  const config = parseConfig(written, TODAY);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-in-cluster-changed-'));
  // WHEN
  synthesize(appFor([config], out, [written]));
  return JSON.parse(fs.readFileSync(path.join(out, 'stacks', inClusterStackId(stackIdFor(config)), 'cdk.tf.json'), 'utf8')) as Json;
}

const NAMESPACE_REF = '${kubernetes_namespace_v1.namespace.metadata[0].name}';

describe('the database Secret', () => {
  test('GIVEN an AWS platform with its RDS database WHEN synthesized THEN the URL Secret is built from the Secrets Manager secret with verify-full, no password in the stack', () => {
    // GIVEN
    const json = stackJson(inClusterStackId('vpctune-acme-ft'));
    // THEN
    expect(json['data']['aws_secretsmanager_secret_version']['database-credentials']['secret_id']).toBe(ref('database_secret_arn'));
    const secret = json['resource']['kubernetes_secret_v1']['database-url'];
    expect(secret['metadata']).toEqual({ name: 'vpctune-database', namespace: NAMESPACE_REF, labels: { 'app.kubernetes.io/part-of': 'vpctune' } });
    expect(secret['type']).toBe('Opaque');
    const creds = 'jsondecode(data.aws_secretsmanager_secret_version.database-credentials.secret_string)';
    expect(secret['data']).toEqual({ url: `postgres://\${urlencode(${creds}.username)}:\${urlencode(${creds}.password)}@${ref('database_endpoint')}/vpctune?sslmode=verify-full` });
    expect(json['resource']['helm_release']['vpctune']['depends_on']).toEqual(['helm_release.kueue', 'kubernetes_secret_v1.database-url']);
    expect(json['provider']['aws']).toEqual([{ region: 'us-east-1' }]);
    expect(json['provider']['google']).toBeUndefined();
    expect(json['provider']['azurerm']).toBeUndefined();
  });

  test('GIVEN a GCP platform with its Cloud SQL database WHEN synthesized THEN the URL Secret is built from the latest Secret Manager version with sslmode=require, the google provider on the config’s project and region', () => {
    // GIVEN
    const json = stackJson(inClusterStackId('vpctune-gcp-ft'));
    // THEN
    const { '//': _gcpMeta, ...version } = json['data']['google_secret_manager_secret_version']['database-credentials'] as Json;
    expect(version).toEqual({ secret: ref('database_secret_id') });
    const secret = json['resource']['kubernetes_secret_v1']['database-url'];
    expect(secret['metadata']).toEqual({ name: 'vpctune-database', namespace: NAMESPACE_REF, labels: { 'app.kubernetes.io/part-of': 'vpctune' } });
    const creds = 'jsondecode(data.google_secret_manager_secret_version.database-credentials.secret_data)';
    expect(secret['data']).toEqual({ url: `postgres://\${urlencode(${creds}.username)}:\${urlencode(${creds}.password)}@${ref('database_endpoint')}/vpctune?sslmode=require` });
    expect(json['resource']['helm_release']['vpctune']['depends_on']).toEqual(['helm_release.kueue', 'kubernetes_secret_v1.database-url']);
    expect(json['provider']['google']).toEqual([{ project: 'acme-ml-prod', region: 'us-central1' }]);
    expect(json['provider']['aws']).toBeUndefined();
  });

  test('GIVEN an Azure platform with its flexible server WHEN synthesized THEN the URL Secret is built from the Key Vault secret with verify-full, the azurerm provider on the config’s subscription', () => {
    // GIVEN
    const json = stackJson(inClusterStackId('vpctune-azure-ft'));
    // THEN
    const { '//': _azureMeta, ...keyVaultSecret } = json['data']['azurerm_key_vault_secret']['database-credentials'] as Json;
    expect(keyVaultSecret).toEqual({ name: ref('database_secret_name'), key_vault_id: ref('database_secret_key_vault_id') });
    const secret = json['resource']['kubernetes_secret_v1']['database-url'];
    expect(secret['metadata']).toEqual({ name: 'vpctune-database', namespace: NAMESPACE_REF, labels: { 'app.kubernetes.io/part-of': 'vpctune' } });
    const creds = 'jsondecode(data.azurerm_key_vault_secret.database-credentials.value)';
    expect(secret['data']).toEqual({ url: `postgres://\${urlencode(${creds}.username)}:\${urlencode(${creds}.password)}@${ref('database_endpoint')}/vpctune?sslmode=verify-full` });
    expect(json['resource']['helm_release']['vpctune']['depends_on']).toEqual(['helm_release.kueue', 'kubernetes_secret_v1.database-url']);
    expect(json['provider']['azurerm']).toEqual([{ features: [{}], subscription_id: '00000000-0000-0000-0000-000000000000' }]);
    expect(json['provider']['aws']).toBeUndefined();
  });

  test.each(['design-sketch.yaml', 'gcp-a100.yaml', 'azure-a100.yaml'])(
    'GIVEN %s with database.external: true WHEN synthesized THEN no Secret, no data source and no cloud provider: the user creates the Secret',
    (example) => {
      // GIVEN / WHEN
      const json = synthChanged(example, (w) => ({ ...w, database: { external: true } }));
      // THEN
      expect(json['resource']['kubernetes_secret_v1']).toBeUndefined();
      expect(json['data']).toEqual({ terraform_remote_state: expect.anything() as unknown });
      expect(Object.keys(json['provider'] as Json).sort()).toEqual(['helm', 'kubernetes']);
      expect(json['resource']['helm_release']['vpctune']['depends_on']).toEqual(['helm_release.kueue']);
    },
  );
});

describe('Kueue from a mirror', () => {
  test('GIVEN the no-egress example with kueue.chartRepository and kueue.imageRepository in ECR WHEN synthesized THEN Kueue’s pinned chart and image come from the mirror', () => {
    // GIVEN
    const ecr = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    // WHEN
    const json = synthChanged('aws-no-egress.yaml', (w) => ({ ...w, kueue: { chartRepository: `oci://${ecr}/kueue/charts`, imageRepository: `${ecr}/kueue/kueue` } }));
    // THEN
    expect(json['resource']['helm_release']['kueue']).toMatchObject({ repository: `oci://${ecr}/kueue/charts`, chart: 'kueue', version: '0.14.2', set: [{ name: 'controllerManager.manager.image.repository', value: `${ecr}/kueue/kueue` }] });
  });

  test('GIVEN no kueue section WHEN synthesized THEN registry.k8s.io and the chart’s own image', () => {
    // THEN
    const kueue = stackJson(inClusterStackId('vpctune-acme-ft'))['resource']['helm_release']['kueue'];
    expect(kueue['repository']).toBe('oci://registry.k8s.io/kueue/charts');
    expect(kueue['set']).toBeUndefined();
  });

  test.each([
    ['chartRepository', 'https://example.com/charts', 'is not an OCI chart repository; allowed: oci://HOST[/PATH], lowercase, e.g. oci://123456789012.dkr.ecr.us-east-1.amazonaws.com/kueue/charts'],
    ['imageRepository', 'registry.example.com/kueue/kueue:v0.14.2', 'is not an image repository; allowed: HOST/PATH without tag, lowercase, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/kueue/kueue'],
  ])('GIVEN kueue.%s %s WHEN validated THEN the error names the field, the value and what is allowed', (field, value, message) => {
    // GIVEN
    const written = parse(fs.readFileSync(path.join(REPO, 'stacks', 'examples', 'aws-no-egress.yaml'), 'utf8')) as Json;
    // WHEN
    const result = validateConfig({ ...written, kueue: { [field]: value } }, TODAY);
    // THEN
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual(expect.objectContaining({ path: `kueue.${field}`, value, message: `${JSON.stringify(value)} ${message}` }));
  });
});

describe('literal text in values', () => {
  test('GIVEN a Terraform template sequence in a config value WHEN escaped THEN it passes through literally; references stay references', () => {
    expect(escapeTemplateLiterals('a ${b} %{c} ${TfToken[TOKEN.1]}')).toBe('a $${b} %%{c} ${TfToken[TOKEN.1]}');
  });

  test('state keys of the in-cluster stack', () => {
    expect([inClusterStateKey('vpctune/small-ft.tfstate'), inClusterStateKey('vpctune/gcp-all')]).toEqual(['vpctune/small-ft-in-cluster.tfstate', 'vpctune/gcp-all-in-cluster']);
  });
});
