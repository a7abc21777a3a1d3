import {
  applyEmulatorOverrides,
  EMULATOR_IGNORE_CHANGES,
  servicesUsed,
} from './emulator-overrides';
import { applyOfflineOverrides, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY } from './offline-overrides';
import { formatChanges, NotIdempotentError, parsePlanChanges } from './terraform-runner';
import { cloneJson, TerraformJson } from './stack-json';

const ENDPOINT = 'http://127.0.0.1:45678';

/** The shape of a synthesized EKS stack, trimmed to what the overrides touch. */
function eksStack(): TerraformJson {
  return {
    provider: { aws: [{ region: 'eu-west-1', profile: 'prod-admin', default_tags: [{ tags: { app: 'vpctune' } }] }] },
    terraform: {
      backend: { s3: { bucket: 'acme-tfstate', key: 'vpctune.tfstate', region: 'eu-west-1', use_lockfile: true } },
      required_providers: { aws: { source: 'aws', version: '5.100.0' } },
    },
    data: {
      aws_iam_policy_document: { assume: { statement: [{ actions: ['sts:AssumeRole'] }] } },
      aws_caller_identity: { me: {} },
    },
    resource: {
      aws_vpc: { main: { cidr_block: '10.42.0.0/16' } },
      aws_kms_key: { eks: { description: 'eks secrets' } },
      aws_cloudwatch_log_group: { eks: { name: '/aws/eks/acme/cluster' } },
      aws_eks_cluster: {
        main: { name: 'acme', access_config: { authentication_mode: 'API' }, lifecycle: { ignore_changes: ['tags'] } },
      },
      aws_eks_node_group: {
        system: { cluster_name: '${aws_eks_cluster.main.name}', update_config: { max_unavailable: 1 } },
        gpu: { cluster_name: '${aws_eks_cluster.main.name}', lifecycle: { ignore_changes: 'all' } },
      },
      aws_autoscaling_group_tag: {
        'gpu-label': { autoscaling_group_name: '${aws_eks_node_group.gpu.resources[0].autoscaling_groups[0].name}', tag: { key: 'k8s.io/cluster-autoscaler/node-template/label/vpctune.dev/pool', value: 'gpu', propagate_at_launch: false } },
      },
      aws_ssm_parameter: { marker: { name: '/vpctune/x', type: 'String', value: 'x', depends_on: ['aws_autoscaling_group_tag.gpu-label', 'aws_eks_node_group.gpu'] } },
    },
    output: {
      cluster_name: { value: '${aws_eks_cluster.main.name}' },
      asg_tag: { value: '${aws_autoscaling_group_tag.gpu-label.id}' },
    },
  };
}

describe('applyOfflineOverrides', () => {
  test('sets dummy keys and skip flags, removes the profile, and swaps a remote backend for local state in the working dir', () => {
    // GIVEN
    const stack = eksStack();
    const before = cloneJson(stack);
    // WHEN
    const { json, overrides } = applyOfflineOverrides(stack);
    // THEN
    expect(json.provider?.['aws']).toEqual([
      {
        region: 'eu-west-1',
        default_tags: [{ tags: { app: 'vpctune' } }],
        access_key: DUMMY_ACCESS_KEY,
        secret_key: DUMMY_SECRET_KEY,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
      },
    ]);
    expect(json.terraform?.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    expect(overrides.map((o) => `${o.address}: ${o.change}`)).toEqual([
      'provider.aws: removed profile',
      'provider.aws: access_key = <dummy>',
      'provider.aws: secret_key = <dummy>',
      'provider.aws: skip_credentials_validation = true',
      'provider.aws: skip_requesting_account_id = true',
      'provider.aws: skip_metadata_api_check = true',
      'provider.aws: skip_region_validation = true',
      'terraform.backend: s3 -> local (path = terraform.tfstate)',
    ]);
    expect(stack).toEqual(before); // pure
  });

  test('every aliased provider gets the settings; a provider without region gets the default', () => {
    const { json, overrides } = applyOfflineOverrides({ provider: { aws: [{ region: 'us-west-2' }, { alias: 'use1' }] } });
    expect((json.provider?.['aws'] as Array<Record<string, unknown>>).map((p) => [p['region'], p['skip_credentials_validation']])).toEqual([
      ['us-west-2', true],
      ['us-east-1', true],
    ]);
    expect(overrides).toContainEqual({ address: 'provider.aws.use1', change: 'region = us-east-1' });
  });

  test('a stack without an aws provider is refused', () => {
    expect(() => applyOfflineOverrides({ resource: {} })).toThrow('applyOfflineOverrides: the stack configures no `aws` provider (provider.aws is missing)');
  });
});

describe('applyEmulatorOverrides', () => {
  test('points every used service at the emulator, adds exactly the documented ignore_changes, drops ASG tags', () => {
    // GIVEN
    const stack = eksStack();
    const before = cloneJson(stack);
    // WHEN
    const { json, overrides } = applyEmulatorOverrides(stack, { endpoint: ENDPOINT });
    // THEN endpoints: derived from the types (the dropped ASG tag needs none), sts always
    const provider = (json.provider?.['aws'] as Array<Record<string, unknown>>)[0]!;
    expect(provider['endpoints']).toEqual([{ ec2: ENDPOINT, eks: ENDPOINT, kms: ENDPOINT, logs: ENDPOINT, ssm: ENDPOINT, sts: ENDPOINT }]);
    expect(provider['s3_use_path_style']).toBe(true);
    expect(provider['skip_credentials_validation']).toBe(true);
    // ignore_changes merged with the stack's own; `all` left alone
    expect(json.resource?.['aws_eks_cluster']?.['main']?.['lifecycle']).toEqual({ ignore_changes: ['tags', 'access_config'] });
    expect(json.resource?.['aws_eks_node_group']?.['system']?.['lifecycle']).toEqual({ ignore_changes: ['remote_access', 'update_config'] });
    expect(json.resource?.['aws_eks_node_group']?.['gpu']?.['lifecycle']).toEqual({ ignore_changes: 'all' });
    // ASG tags gone, with the depends_on and the output that named them
    expect(json.resource?.['aws_autoscaling_group_tag']).toBeUndefined();
    expect(json.resource?.['aws_ssm_parameter']?.['marker']?.['depends_on']).toEqual(['aws_eks_node_group.gpu']);
    expect(Object.keys(json.output ?? {})).toEqual(['cluster_name']);
    // every change is listed
    expect(overrides.slice(8).map((o) => `${o.address}: ${o.change}`)).toEqual([
      'aws_autoscaling_group_tag.gpu-label: removed (emulator has no such object)',
      'aws_ssm_parameter.marker: depends_on -= aws_autoscaling_group_tag',
      'output.asg_tag: removed (references aws_autoscaling_group_tag)',
      `provider.aws: endpoints = {ec2, eks, kms, logs, ssm, sts} -> ${ENDPOINT}`,
      'provider.aws: s3_use_path_style = true',
      'aws_eks_cluster.main: lifecycle.ignore_changes += access_config',
      'aws_eks_node_group.system: lifecycle.ignore_changes += remote_access, update_config',
    ]);
    expect(stack).toEqual(before); // pure
  });

  test('the ignore list is exactly access_config on clusters, parameters of DB parameter groups, remote_access/update_config on node groups and tag_specifications on launch templates', () => {
    expect(EMULATOR_IGNORE_CHANGES).toEqual({
      aws_eks_cluster: ['access_config'],
      aws_db_parameter_group: ['parameter'],
      aws_eks_node_group: ['remote_access', 'update_config'],
      aws_launch_template: ['tag_specifications'],
    });
  });

  test('GIVEN a rule naming the EKS cluster security group WHEN overridden THEN it names a stand-in group in the VPC (moto creates none)', () => {
    // GIVEN
    const stack: TerraformJson = {
      provider: { aws: [{}] },
      resource: {
        aws_vpc: { v: { cidr_block: '10.0.0.0/16' } },
        aws_eks_cluster: { c: { name: 'c' } },
        aws_security_group: { db: { ingress: [{ security_groups: ['${aws_eks_cluster.c.vpc_config[0].cluster_security_group_id}'] }] } },
      },
    };
    // WHEN
    const { json, overrides } = applyEmulatorOverrides(stack, { endpoint: ENDPOINT });
    // THEN
    const groups = json.resource!['aws_security_group'] as Record<string, { ingress?: { security_groups: string[] }[]; vpc_id?: string }>;
    expect(groups['db']!.ingress![0]!.security_groups).toEqual(['${aws_security_group.emulator_cluster_sg_c.id}']);
    expect(groups['emulator_cluster_sg_c']).toEqual({ name: 'emulator-cluster-sg-c', description: 'stand-in for the EKS cluster security group', vpc_id: '${aws_vpc.v.id}' });
    expect(overrides.map((o) => `${o.address}: ${o.change}`)).toContain("aws_security_group.emulator_cluster_sg_c: added: stands in for aws_eks_cluster.c's cluster security group");
  });

  test('an AWS type without an endpoint mapping is refused by name', () => {
    const stack: TerraformJson = { provider: { aws: [{}] }, resource: { aws_s3_bucket: { b: {} }, aws_glue_job: { j: {} } } };
    expect(() => servicesUsed(stack)).toThrow(
      'emulator overrides: no endpoint mapping for aws_glue_job; add the type prefix to SERVICE_BY_TYPE_PREFIX in test/harness/emulator-overrides.ts',
    );
  });

  test('a resource that reads an attribute of a dropped ASG tag is refused', () => {
    const stack = eksStack();
    stack.resource!['aws_ssm_parameter']!['marker']!['value'] = '${aws_autoscaling_group_tag.gpu-label.id}';
    expect(() => applyEmulatorOverrides(stack, { endpoint: ENDPOINT })).toThrow(
      'emulator overrides: aws_ssm_parameter.marker references aws_autoscaling_group_tag.gpu-label, which the emulator run removes; do not read attributes of aws_autoscaling_group_tag',
    );
  });

  test('keepS3Backend keeps the stack S3 backend pointed at the emulator with dummy keys; a stack without one is refused', () => {
    const { json, overrides } = applyEmulatorOverrides(eksStack(), { endpoint: ENDPOINT, keepS3Backend: true });
    expect(json.terraform?.backend).toEqual({
      s3: {
        bucket: 'acme-tfstate', key: 'vpctune.tfstate', region: 'eu-west-1', use_lockfile: true,
        endpoints: { s3: ENDPOINT, dynamodb: ENDPOINT, sts: ENDPOINT }, use_path_style: true, access_key: DUMMY_ACCESS_KEY, secret_key: DUMMY_SECRET_KEY,
        skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
      },
    });
    expect(overrides).toContainEqual({ address: 'terraform.backend', change: `s3 kept, endpoints {s3, dynamodb, sts} -> ${ENDPOINT}, dummy keys, skip flags` });
    const local = eksStack();
    delete local.terraform?.backend;
    expect(() => applyEmulatorOverrides(local, { endpoint: ENDPOINT, keepS3Backend: true })).toThrow('emulator overrides: keepS3Backend is set but the stack has no S3 backend');
  });

  test('the endpoint must be a base URL', () => {
    expect(() => applyEmulatorOverrides(eksStack(), { endpoint: '127.0.0.1:5000' })).toThrow(
      "emulator overrides: endpoint must be a base URL like http://127.0.0.1:5000, got '127.0.0.1:5000'",
    );
  });
});

describe('plan changes', () => {
  test('parsePlanChanges keeps non-no-op changes with the attributes that differ; the idempotency error lists them', () => {
    // GIVEN the shape of `terraform show -json` for a re-plan that wants to replace a node group
    const planJson = JSON.stringify({
      resource_changes: [
        { address: 'aws_kms_key.k', type: 'aws_kms_key', change: { actions: ['no-op'], before: { a: 1 }, after: { a: 1 } } },
        {
          address: 'aws_eks_node_group.gpu',
          type: 'aws_eks_node_group',
          change: {
            actions: ['delete', 'create'],
            before: { remote_access: [{ ec2_ssh_key: 'x' }], update_config: [], node_group_name: 'gpu' },
            after: { remote_access: [], update_config: [{ max_unavailable: 1 }], node_group_name: 'gpu' },
            // nested `false`/`{}` marks known values; only a `true` leaf is unknown
            after_unknown: { id: true, tags: {}, scaling_config: [{ min_size: false }] },
            replace_paths: [['remote_access']],
          },
        },
      ],
      output_changes: { cluster_name: { actions: ['no-op'] }, role_arn: { actions: ['update'] } },
    });
    // WHEN
    const { changes, outputChanges } = parsePlanChanges(planJson);
    // THEN
    expect(formatChanges(changes)).toBe('aws_eks_node_group.gpu replace [id, remote_access, update_config] (forces replacement: remote_access)');
    expect(outputChanges).toEqual(['role_arn']);
    expect(new NotIdempotentError(changes, outputChanges).message).toBe(
      're-plan after apply is not empty: 1 resource change(s), outputs role_arn:\naws_eks_node_group.gpu replace [id, remote_access, update_config] (forces replacement: remote_access)',
    );
  });
});
