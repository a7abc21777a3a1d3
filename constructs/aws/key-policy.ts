import { PolicyStatement } from './iam-documents';

/** AWS services that use a platform KMS key with their own identity. */
export enum KeyUser {
  /**
   * CloudWatch Logs (`logs.<region>.amazonaws.com`) encrypting log groups of this account and region; limited by the
   * `kms:EncryptionContext:aws:logs:arn` condition to this account's log groups in the key's region.
   */
  CLOUDWATCH_LOGS = 'cloudwatch-logs',
  /**
   * The EC2 Auto Scaling service-linked role (`AWSServiceRoleForAutoScaling`), which launches the EKS managed node
   * groups' instances and so creates their encrypted EBS volumes. AWS creates the role with the account's first Auto
   * Scaling group; in an account that never had one, create it once first
   * (`aws iam create-service-linked-role --aws-service-name autoscaling.amazonaws.com`): a key policy may only name
   * principals that exist.
   */
  EC2_AUTO_SCALING = 'ec2-auto-scaling',
}

/** Where a key lives; each part may be a Terraform expression. */
export interface KeyLocation {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The Sid of the statement that makes the account root the key's administrator. */
export const ACCOUNT_ADMIN_SID = 'AccountRootAdministers';
/** The Sid of the CloudWatch Logs statement. */
export const LOGS_SID = 'CloudWatchLogsUse';
/** The encryption-context key CloudWatch Logs sends: the log group's ARN. */
export const LOGS_CONTEXT_KEY = 'kms:EncryptionContext:aws:logs:arn';

/** The EC2 Auto Scaling service-linked role's ARN. */
export function autoScalingServiceRoleArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
}

/**
 * Key policy statements: the account root administers the key (which lets IAM policies in the account grant its use,
 * as the default key policy does, but written down), then one or two statements per service user.
 */
export function keyPolicyStatements(at: KeyLocation, users: readonly KeyUser[]): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    { Sid: ACCOUNT_ADMIN_SID, Effect: 'Allow', Principal: { AWS: `arn:${at.partition}:iam::${at.account}:root` }, Action: 'kms:*', Resource: '*' },
  ];
  for (const user of users) {
    if (user === KeyUser.CLOUDWATCH_LOGS) {
      statements.push({
        Sid: LOGS_SID,
        Effect: 'Allow',
        Principal: { Service: `logs.${at.region}.amazonaws.com` },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: { ArnLike: { [LOGS_CONTEXT_KEY]: `arn:${at.partition}:logs:${at.region}:${at.account}:log-group:*` } },
      });
    } else {
      const role = autoScalingServiceRoleArn(at.partition, at.account);
      statements.push(
        {
          Sid: 'Ec2AutoScalingUse',
          Effect: 'Allow',
          Principal: { AWS: role },
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
          Resource: '*',
        },
        { Sid: 'Ec2AutoScalingGrants', Effect: 'Allow', Principal: { AWS: role }, Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
      );
    }
  }
  return statements;
}
