/**
 * The rules read the block shapes cdktf really writes (single nested blocks as objects, lists as arrays,
 * references as `${...}` tokens, launch template `ebs.encrypted` as the string "true"). Deep provider imports only.
 */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { KmsKeyPolicy } from '@cdktf/provider-aws/lib/kms-key-policy';
import { Fn, Testing, TerraformStack } from 'cdktf';
import { evaluatePolicies } from '../../constructs/policy';

interface Knobs {
  readonly nodeSubnetPublic?: boolean;
  readonly httpTokens?: string;
  readonly tlsDeny?: boolean;
  readonly wildcard?: boolean;
}

function synth(knobs: Knobs = {}): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'policy-synth');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  const key = new KmsKey(stack, 'key', { enableKeyRotation: true });
  const vpc = new Vpc(stack, 'vpc', { cidrBlock: '10.42.0.0/16' });
  // What the hardening rules (aws-hardening-rules.ts) ask of every stack: key policy, closed default group, flow logs.
  const autoScaling = 'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
  new KmsKeyPolicy(stack, 'key-policy', {
    keyId: key.keyId,
    policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { Service: 'logs.us-east-1.amazonaws.com' }, Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:us-east-1:111122223333:log-group:*' } } },
        { Effect: 'Allow', Principal: { AWS: autoScaling }, Action: 'kms:GenerateDataKey*', Resource: '*' },
      ],
    }),
  });
  new DefaultSecurityGroup(stack, 'default-sg', { vpcId: vpc.id });
  new InternetGateway(stack, 'igw', { vpcId: vpc.id });
  const flowLogs = new CloudwatchLogGroup(stack, 'flow-logs', { name: '/acme/flow-logs', kmsKeyId: key.arn, retentionInDays: 90 });
  new FlowLog(stack, 'flow-log', { vpcId: vpc.id, trafficType: 'ALL', logDestination: flowLogs.arn, iamRoleArn: 'arn:aws:iam::111122223333:role/flow-logs' });
  const publicSubnet = new Subnet(stack, 'public', { vpcId: vpc.id, cidrBlock: '10.42.0.0/24', mapPublicIpOnLaunch: true });
  const privateSubnet = new Subnet(stack, 'private', { vpcId: vpc.id, cidrBlock: '10.42.16.0/20' });
  const cluster = new EksCluster(stack, 'cluster', {
    name: 'acme',
    roleArn: 'arn:aws:iam::111122223333:role/eks',
    vpcConfig: { subnetIds: [privateSubnet.id], endpointPrivateAccess: true, endpointPublicAccess: false },
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } },
    accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: false },
  });
  const lt = new LaunchTemplate(stack, 'lt', {
    metadataOptions: { httpTokens: knobs.httpTokens ?? 'required', httpPutResponseHopLimit: 2 },
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeSize: 200, encrypted: 'true', kmsKeyId: key.arn } }],
  });
  new EksNodeGroup(stack, 'ng', {
    clusterName: cluster.name,
    nodeRoleArn: 'arn:aws:iam::111122223333:role/node',
    subnetIds: [knobs.nodeSubnetPublic === true ? publicSubnet.id : privateSubnet.id],
    scalingConfig: { minSize: 0, maxSize: 2, desiredSize: 0 },
    launchTemplate: { id: lt.id, version: Fn.tostring(lt.latestVersion) },
  });
  const bucket = new S3Bucket(stack, 'bucket', { bucketPrefix: 'acme-' });
  new S3BucketServerSideEncryptionConfigurationA(stack, 'sse', {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.arn } }],
  });
  new S3BucketPublicAccessBlock(stack, 'pab', { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  const tls = new DataAwsIamPolicyDocument(stack, 'tls', {
    statement: [
      knobs.tlsDeny === false
        ? { effect: 'Allow', actions: ['s3:GetObject'], resources: [`${bucket.arn}/*`], principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::111122223333:root'] }] }
        : {
            effect: 'Deny',
            actions: ['s3:*'],
            resources: [bucket.arn, `${bucket.arn}/*`],
            principals: [{ type: '*', identifiers: ['*'] }],
            condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
          },
    ],
  });
  new S3BucketPolicy(stack, 'policy', { bucket: bucket.id, policy: tls.json });
  new EcrRepository(stack, 'repo', { name: 'acme/trainer', encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: key.arn }] });
  const doc = new DataAwsIamPolicyDocument(stack, 'trainer', {
    statement: [{ actions: knobs.wildcard === true ? ['*'] : ['s3:GetObject'], resources: knobs.wildcard === true ? ['*'] : [`${bucket.arn}/jobs/*`] }],
  });
  new IamPolicy(stack, 'trainer-policy', { name: 'trainer', policy: doc.json });
  return Testing.synth(stack);
}

describe('policy rules on cdktf-synthesized JSON', () => {
  test('a clean stack passes every rule', () => {
    expect(evaluatePolicies(synth())).toEqual([]);
  });

  test('each break is found at the right address, through cdktf tokens', () => {
    expect(evaluatePolicies(synth({ nodeSubnetPublic: true })).map((f) => `${f.ruleId} ${f.address}`)).toEqual(['VPCT-AWS-001 aws_subnet.public']);
    expect(evaluatePolicies(synth({ httpTokens: 'optional' })).map((f) => `${f.ruleId} ${f.address}`)).toEqual(['VPCT-AWS-007 aws_launch_template.lt']);
    expect(evaluatePolicies(synth({ tlsDeny: false })).map((f) => `${f.ruleId} ${f.address}`)).toEqual(['VPCT-AWS-009 aws_s3_bucket_policy.policy']);
    expect(evaluatePolicies(synth({ wildcard: true })).map((f) => `${f.ruleId} ${f.address}: ${f.message}`)).toEqual([
      'VPCT-AWS-010 data.aws_iam_policy_document.trainer: statement 0 allows Action "*" on Resource "*"',
    ]);
  });
});
