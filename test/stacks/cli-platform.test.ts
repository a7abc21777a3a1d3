/**
 * `vpctune platform values` (the chart's values from a config and `terraform output -json`) and `vpctune platform
 * render` (`helm template` of the chart with them): identities from the outputs or the flags, in the cloud's form;
 * exact messages for bad outputs and a missing helm.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { main } from '../../stacks/cli/main';
import { kubernetesTools } from '../chart/kubernetes-tools';

const REPO = path.resolve(__dirname, '..', '..');
const TODAY = ['--today', '2026-11-22'];

async function vpctune(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-cli-platform-'));
function outputsFile(outputs: Record<string, unknown>): string {
  const file = path.join(tmp(), 'outputs.json');
  fs.writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: 'string', sensitive: false }]))));
  return file;
}
type Values = { serviceAccounts: Record<string, { identity: string }>; controller: { storageUrl: string; image: { repository: string } }; clusterAutoscaler: { enabled: boolean; roleArn?: string }; platform: { name: string; config: unknown } };

let helm: string;
const cwd = process.cwd();
beforeAll(async () => {
  process.chdir(REPO);
  helm = (await kubernetesTools()).helm;
});
afterAll(() => process.chdir(cwd));

describe('vpctune platform values', () => {
  test('GIVEN the AWS stack’s terraform output -json WHEN values are written THEN registry, bucket, roles and the autoscaler come from it and the config as written', async () => {
    // GIVEN
    const outputs = outputsFile({
      bucket: 'acme-ft-artifacts-20261122',
      registry_controller: '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/controller',
      role_vpctune_controller: 'arn:aws:iam::123456789012:role/acme-ft-vpctune-controller',
      role_vpctune_trainer: 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer',
      cluster_name: 'acme-ft',
      cluster_autoscaler_role_arn: 'arn:aws:iam::123456789012:role/acme-ft-cluster-autoscaler',
      cluster_endpoint: 'https://ABC.gr7.us-east-1.eks.amazonaws.com',
    });
    // WHEN
    const r = await vpctune('platform', 'values', '--config', 'stacks/examples/design-sketch.yaml', '--outputs', outputs, ...TODAY);
    // THEN
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')[0]).toBe(`# Values of the vpctune chart (charts/vpctune), written by \`vpctune platform values\` from stacks/examples/design-sketch.yaml and the stack outputs ${outputs}.`);
    const v = parse(r.stdout) as Values;
    expect(v.platform).toEqual({ name: 'acme-ft', config: parse(fs.readFileSync('stacks/examples/design-sketch.yaml', 'utf8')) });
    expect(v.controller.storageUrl).toBe('s3://acme-ft-artifacts-20261122');
    expect(v.controller.image.repository).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/controller');
    expect(v.serviceAccounts).toEqual({
      controller: { identity: 'arn:aws:iam::123456789012:role/acme-ft-vpctune-controller' },
      trainer: { identity: 'arn:aws:iam::123456789012:role/acme-ft-vpctune-trainer' },
      server: { identity: '' },
    });
    expect(v.clusterAutoscaler).toMatchObject({ enabled: true, roleArn: 'arn:aws:iam::123456789012:role/acme-ft-cluster-autoscaler' });
  });

  test.each([
    ['gcp-a100.yaml', 'service_account_vpctune_trainer', 'trainer@gcp-ft-project.iam.gserviceaccount.com', 'bucket', 'gcp-ft-artifacts-x', 'gs://gcp-ft-artifacts-x'],
    ['azure-a100.yaml', 'identity_vpctune_trainer', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'storage_container', 'artifacts', 'az://azureft/artifacts'],
  ])('GIVEN %s and its stack’s outputs WHEN values are written THEN %s is the trainer identity and %s the storage', async (file, identityOutput, identity, bucketOutput, bucket, url) => {
    const r = await vpctune('platform', 'values', '--config', `stacks/examples/${file}`, '--outputs', outputsFile({ [identityOutput]: identity, [bucketOutput]: bucket }), ...TODAY);
    expect(r.code).toBe(0);
    const v = parse(r.stdout) as Values;
    expect(v.serviceAccounts['trainer']).toEqual({ identity });
    expect(v.controller.storageUrl).toBe(url);
    expect(v.clusterAutoscaler).toEqual({ enabled: false });
  });

  test('GIVEN --identity over an output and --out WHEN values are written THEN the flag wins and the file holds them', async () => {
    const out = path.join(tmp(), 'values.yaml');
    const r = await vpctune('platform', 'values', '--config', 'stacks/examples/design-sketch.yaml', '--outputs', outputsFile({ role_vpctune_trainer: 'arn:aws:iam::123456789012:role/from-output' }), '--role-arn', 'vpctune-trainer=arn:aws:iam::123456789012:role/from-flag', '--out', out, ...TODAY);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', `wrote ${out}\n`]);
    expect((parse(fs.readFileSync(out, 'utf8')) as Values).serviceAccounts['trainer']).toEqual({ identity: 'arn:aws:iam::123456789012:role/from-flag' });
  });

  test.each([
    [() => path.join(tmp(), 'missing.json'), (f: string) => `vpctune platform values: --outputs ${f}: cannot read it (ENOENT)\n`],
    [
      () => {
        const f = path.join(tmp(), 'o.json');
        fs.writeFileSync(f, '{"bucket": "x"}');
        return f;
      },
      (f: string) => `vpctune platform values: --outputs ${f}: output bucket is "x", with no "value"; expected the format of \`terraform output -json\`: {"NAME": {"value": ..., "type": ..., "sensitive": ...}}\n`,
    ],
    [() => outputsFile({ bucket: 42 }), (f: string) => `vpctune platform values: --outputs ${f}: output bucket is 42; expected a non-empty string\n`],
    [() => outputsFile({ kubernetes_api_cidrs: '10.0.0.0/8' }), (f: string) => `vpctune platform values: --outputs ${f}: output kubernetes_api_cidrs is "10.0.0.0/8"; expected a list of strings\n`],
  ])('GIVEN outputs that are not terraform output -json WHEN values are asked for THEN exit 2 naming the file and the output (%#)', async (make, message) => {
    const file = make();
    const r = await vpctune('platform', 'values', '--config', 'stacks/examples/design-sketch.yaml', '--outputs', file, ...TODAY);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', message(file)]);
  });

  test('GIVEN an identity not in the cloud’s form THEN exit 2 naming the flag, the value and what is allowed', async () => {
    const r = await vpctune('platform', 'values', '--config', 'stacks/examples/azure-a100.yaml', '--role-arn', 'vpctune-trainer=arn:aws:iam::123456789012:role/t', ...TODAY);
    expect([r.code, r.stderr]).toEqual([2, 'vpctune platform values: --role-arn vpctune-trainer=arn:aws:iam::123456789012:role/t: "arn:aws:iam::123456789012:role/t" is not a managed identity client id (a UUID) (the azure.workload.identity/client-id annotation on azure)\n']);
  });
});

describe('vpctune platform render', () => {
  const accounts = (yaml: string) =>
    Object.fromEntries(
      parseAllDocuments(yaml)
        .map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } })
        .filter((o) => o !== null && o.kind === 'ServiceAccount' && o.metadata.namespace === 'vpctune')
        .map((o) => [o.metadata.name, o.metadata.annotations ?? {}]),
    );

  test('GIVEN --helm, --identity and the --role-arn alias WHEN rendered THEN the chart’s manifests with the IRSA annotations', async () => {
    // WHEN
    const r = await vpctune('platform', 'render', '--config', 'stacks/examples/design-sketch.yaml', '--helm', helm, '--identity', 'vpctune-trainer=arn:aws:iam::123456789012:role/t', '--role-arn=vpctune-server=arn:aws:iam::123456789012:role/s', ...TODAY);
    // THEN
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('# Source: vpctune/templates/kueue/queues.yaml');
    expect(accounts(r.stdout)).toEqual({
      'vpctune-controller': {},
      'vpctune-trainer': { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/t' },
      'vpctune-server': { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/s' },
    });
  });

  test('GIVEN VPCTUNE_HELM and an Azure client id WHEN rendered THEN the workload identity annotation', async () => {
    process.env['VPCTUNE_HELM'] = helm;
    try {
      const r = await vpctune('platform', 'render', '--config', 'stacks/examples/azure-a100.yaml', '--identity', 'vpctune-trainer=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', ...TODAY);
      expect(r.code).toBe(0);
      expect(accounts(r.stdout)['vpctune-trainer']).toEqual({ 'azure.workload.identity/client-id': '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' });
    } finally {
      delete process.env['VPCTUNE_HELM'];
    }
  });

  test('GIVEN no helm on PATH WHEN rendered THEN exit 1 saying what to install and how to name one', async () => {
    const path0 = process.env['PATH'];
    process.env['PATH'] = tmp();
    try {
      const r = await vpctune('platform', 'render', '--config', 'stacks/examples/design-sketch.yaml', ...TODAY);
      expect([r.code, r.stdout, r.stderr]).toEqual([
        1,
        '',
        'vpctune platform render: helm not found on PATH: platform render runs `helm template` on the vpctune chart; install Helm 3.8 or later (https://helm.sh/docs/intro/install/) and put it on PATH, or name the binary with --helm PATH or VPCTUNE_HELM\n',
      ]);
    } finally {
      process.env['PATH'] = path0;
    }
  });

  test('GIVEN --helm naming no executable WHEN rendered THEN exit 2 naming the flag', async () => {
    const r = await vpctune('platform', 'render', '--config', 'stacks/examples/design-sketch.yaml', '--helm', '/nonexistent/helm', ...TODAY);
    expect([r.code, r.stderr]).toEqual([2, 'vpctune platform render: --helm /nonexistent/helm: not an executable file; install Helm 3.8 or later (https://helm.sh/docs/intro/install/) and put it on PATH, or name the binary with --helm PATH or VPCTUNE_HELM\n']);
  });

  test('GIVEN an unknown service account THEN exit 2 listing the accounts', async () => {
    const r = await vpctune('platform', 'render', '--config', 'stacks/examples/design-sketch.yaml', '--identity', 'trainer=arn:aws:iam::1:role/x');
    expect([r.code, r.stderr]).toEqual([2, 'vpctune platform render: --identity trainer=arn:aws:iam::1:role/x: expected SERVICE_ACCOUNT=VALUE with SERVICE_ACCOUNT one of vpctune-controller, vpctune-trainer, vpctune-server\n']);
  });
});
