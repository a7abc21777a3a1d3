import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { ALL_SERVICE_ACCOUNTS, BUCKET_ACCESS, PLATFORM_NAMESPACE, ServiceAccount } from '../platform';
import { policyDocument, PolicyStatement } from './iam-documents';
import { TRAINER_JOB_SESSION_SECONDS, trainerJobRoleName } from './job-session-policy';

export interface WorkloadIdentityProps {
  readonly name: string;
  readonly oidcProvider: IamOpenidConnectProvider;
  /** The cluster's OIDC issuer URL (https://…). */
  readonly oidcIssuerUrl: string;
  readonly bucketArn: string;
  readonly bucketKeyArn: string;
  /** @default every platform service account */
  readonly serviceAccounts?: readonly ServiceAccount[];
}

/**
 * IRSA roles for the controller, trainer and server. Each trusts exactly its service account in the platform
 * namespace; the controller and server may touch only their bucket prefixes (BUCKET_ACCESS); nothing is granted on `*`.
 *
 * The trainer's IRSA role holds no policy at all (ARCHITECTURE.md, "Tenant isolation below the API"): a trainer pod
 * gets its job's credentials from the controller, which assumes the trainer-job role (`jobRole`, the trainer's
 * BUCKET_ACCESS as a ceiling, trusted by the controller's role only) with a session policy naming that job's keys.
 */
export class WorkloadIdentity extends Construct {
  public readonly roles: Readonly<Partial<Record<ServiceAccount, IamRole>>>;
  /** The role per-job trainer sessions are minted from; only with the controller's role. */
  public readonly jobRole?: IamRole;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const issuerHost = Fn.replace(props.oidcIssuerUrl, 'https://', '');
    const roles: Partial<Record<ServiceAccount, IamRole>> = {};
    for (const sa of props.serviceAccounts ?? ALL_SERVICE_ACCOUNTS) {
      const role = new IamRole(this, sa, {
        name: `${props.name}-${sa}`,
        assumeRolePolicy: policyDocument([
          {
            Effect: 'Allow',
            Principal: { Federated: props.oidcProvider.arn },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                [`${issuerHost}:sub`]: `system:serviceaccount:${PLATFORM_NAMESPACE}:${sa}`,
                [`${issuerHost}:aud`]: 'sts.amazonaws.com',
              },
            },
          },
        ]),
      });
      if (sa !== ServiceAccount.TRAINER) new IamRolePolicy(this, `${sa}-bucket`, { name: 'bucket-access', role: role.id, policy: bucketPolicy(sa, props.bucketArn, props.bucketKeyArn) });
      roles[sa] = role;
    }
    this.roles = roles;
    const controller = roles[ServiceAccount.CONTROLLER];
    if (controller !== undefined) {
      const jobRole = new IamRole(this, 'trainer-job', {
        name: trainerJobRoleName(props.name),
        description: 'Per-job trainer sessions: assumed by the controller with a session policy naming one job\'s keys',
        maxSessionDuration: TRAINER_JOB_SESSION_SECONDS,
        assumeRolePolicy: policyDocument([{ Effect: 'Allow', Principal: { AWS: controller.arn }, Action: 'sts:AssumeRole' }]),
      });
      new IamRolePolicy(this, 'trainer-job-bucket', { name: 'bucket-access', role: jobRole.id, policy: bucketPolicy(ServiceAccount.TRAINER, props.bucketArn, props.bucketKeyArn) });
      new IamRolePolicy(this, 'controller-assume-trainer-job', {
        name: 'assume-trainer-job',
        role: controller.id,
        policy: policyDocument([{ Sid: 'TrainerJobSessions', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: jobRole.arn }]),
      });
      this.jobRole = jobRole;
    }
  }
}

/** The S3 and KMS statements a service account gets from BUCKET_ACCESS. */
export function bucketPolicy(sa: ServiceAccount, bucketArn: string, keyArn: string): string {
  const access = BUCKET_ACCESS[sa];
  const all = [...new Set([...access.read, ...access.write])];
  const statements: PolicyStatement[] = [
    { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn, Condition: { StringLike: { 's3:prefix': all.map((p) => `${p}*`) } } },
  ];
  if (access.read.length > 0) {
    statements.push({ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: access.read.map((p) => `${bucketArn}/${p}*`) });
  }
  if (access.write.length > 0) {
    statements.push({
      Sid: 'Write',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: access.write.map((p) => `${bucketArn}/${p}*`),
    });
  }
  statements.push({
    Sid: 'Key',
    Effect: 'Allow',
    Action: access.write.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
    Resource: keyArn,
  });
  return policyDocument(statements);
}
