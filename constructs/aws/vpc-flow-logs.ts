import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Fn, TerraformLocal, Token } from 'cdktf';
import { Construct } from 'constructs';
import { EncryptionKey } from './encryption-key';
import { policyDocument } from './iam-documents';

export interface VpcFlowLogsProps {
  /** Prefix of the log group and role names. */
  readonly name: string;
  readonly vpcId: string;
  /** Encrypts the log group; its policy must let CloudWatch Logs use it (KeyUser.CLOUDWATCH_LOGS). */
  readonly key: EncryptionKey;
  /** @default 90 */
  readonly retentionDays?: number;
}

/**
 * VPC flow logs of all traffic (accepted and rejected) to a CloudWatch Logs group of their own, encrypted with the
 * platform key and kept `retentionDays`, delivered by an IAM role that may write to that log group only and that only
 * the flow-logs service of this account may assume.
 */
export class VpcFlowLogs extends Construct {
  public readonly logGroup: CloudwatchLogGroup;
  public readonly role: IamRole;
  public readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    const retention = props.retentionDays ?? 90;
    if (!Number.isInteger(retention) || retention < 1) throw new Error(`VpcFlowLogs ${props.name}: retentionDays ${retention} must be a whole number of days, at least 1`);
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/vpctune/${props.name}/vpc-flow-logs`,
      retentionInDays: retention,
      kmsKeyId: props.key.arn,
      // CloudWatch Logs checks that it may use the key when the group is created
      dependsOn: [props.key.policy],
    });
    // arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME: the account for the trust policy's confused-deputy condition.
    const arnParts = new TerraformLocal(this, 'arn-parts', Fn.split(':', this.logGroup.arn));
    const account = Token.asString(Fn.element(arnParts.asList, 4));
    this.role = new IamRole(this, 'role', {
      name: `${props.name}-vpc-flow-logs`,
      assumeRolePolicy: policyDocument([
        { Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': account } } },
      ]),
    });
    const policy = new IamRolePolicy(this, 'write', {
      name: 'write-flow-logs',
      role: this.role.id,
      policy: policyDocument([
        { Sid: 'WriteOwnLogGroup', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: `${this.logGroup.arn}:*` },
        { Sid: 'DescribeOwnLogGroup', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: this.logGroup.arn },
      ]),
    });
    this.flowLog = new FlowLog(this, 'flow-log', {
      vpcId: props.vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.logGroup.arn,
      iamRoleArn: this.role.arn,
      maxAggregationInterval: 60,
      tags: { Name: `${props.name}-vpc-flow-logs` },
      dependsOn: [policy],
    });
  }
}
