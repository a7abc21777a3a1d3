/**
 * Tenant isolation on AWS (ARCHITECTURE.md, "Tenant isolation below the API"): the trainer's IRSA role holds no
 * policy, the trainer-job role carries the trainer's ceiling and trusts the controller's role only, and the controller
 * may assume exactly that role.
 */
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { bucketPolicy, WorkloadIdentity } from '../../constructs/aws';
import { ServiceAccount } from '../../constructs/platform';
import { resources, synthWith } from './helpers';

function synthIdentity(serviceAccounts?: readonly ServiceAccount[]) {
  return synthWith((scope) => {
    const oidc = new IamOpenidConnectProvider(scope, 'oidc', { url: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC', clientIdList: ['sts.amazonaws.com'] });
    new WorkloadIdentity(scope, 'w', {
      name: 'acme',
      oidcProvider: oidc,
      oidcIssuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC',
      bucketArn: 'arn:aws:s3:::b',
      bucketKeyArn: 'arn:aws:kms:us-east-1:1:key/k',
      ...(serviceAccounts !== undefined ? { serviceAccounts } : {}),
    });
  });
}

describe('WorkloadIdentity: per-job trainer sessions', () => {
  test('GIVEN the platform identities WHEN synthesized THEN the trainer role has no policy and the trainer-job role has the trainer’s ceiling', () => {
    // WHEN
    const s = synthIdentity();
    // THEN: roles by name, with their Terraform addresses
    const address = (name: string): string => {
      const entry = Object.entries(s.resource['aws_iam_role'] ?? {}).find(([, r]) => r['name'] === name);
      if (entry === undefined) throw new Error(`no role ${name}`);
      return `aws_iam_role.${entry[0]}`;
    };
    const [trainer, controller, jobRole] = [address('acme-vpctune-trainer'), address('acme-vpctune-controller'), address('acme-vpctune-trainer-job')];
    const policies = resources(s, 'aws_iam_role_policy');
    const policiesOf = (role: string) => policies.filter((p) => p['role'] === `\${${role}.id}`).map((p) => p['name']);
    expect(policiesOf(trainer)).toEqual([]);
    expect(resources(s, 'aws_iam_role_policy_attachment')).toEqual([]);
    expect(policiesOf(controller).sort()).toEqual(['assume-trainer-job', 'bucket-access']);
    expect(policiesOf(jobRole)).toEqual(['bucket-access']);
    const job = resources(s, 'aws_iam_role').find((r) => r['name'] === 'acme-vpctune-trainer-job');
    expect(job?.['max_session_duration']).toBe(3600);
    expect(JSON.parse(String(job?.['assume_role_policy']))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `\${${controller}.arn}` }, Action: 'sts:AssumeRole' }],
    });
    const jobPolicy = policies.find((p) => p['role'] === `\${${jobRole}.id}`);
    expect(jobPolicy?.['policy']).toBe(bucketPolicy(ServiceAccount.TRAINER, 'arn:aws:s3:::b', 'arn:aws:kms:us-east-1:1:key/k'));
    const assume = policies.find((p) => p['name'] === 'assume-trainer-job');
    expect(JSON.parse(String(assume?.['policy']))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'TrainerJobSessions', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `\${${jobRole}.arn}` }],
    });
  });

  test('GIVEN identities without the controller WHEN synthesized THEN there is no trainer-job role (nobody could assume it)', () => {
    // WHEN
    const s = synthIdentity([ServiceAccount.SERVER]);
    // THEN
    expect(resources(s, 'aws_iam_role').map((r) => r['name'])).toEqual(['acme-vpctune-server']);
  });
});
