/**
 * A cdktf app of its own that uses the installed vpctune package: the AWS platform from a config, a GPU pool added
 * from the catalog, and a bucket of the app's own beside them, encrypted with the platform's key.
 */
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsPlatform, GpuNodePool } from 'vpctune/aws';
import { Accelerator, Cloud, CapacityType, findSku, GpuSku } from 'vpctune/catalog';
import { parseConfig, ResolvedPlatformConfig } from 'vpctune/config';

class ConsumerStack extends TerraformStack {
  public readonly platform: AwsPlatform;
  public readonly extraPool: GpuNodePool;

  constructor(scope: Construct, id: string, config: ResolvedPlatformConfig) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: config.region });
    this.platform = new AwsPlatform(this, 'platform', { config });
    const sku: GpuSku | undefined = findSku(Cloud.AWS, Accelerator.L40S, 1);
    if (sku === undefined) throw new Error('the catalog has no 1-GPU L40S shape on AWS');
    this.extraPool = this.platform.addGpuPool({ name: 'extra', sku, maxNodes: 2, capacity: CapacityType.ON_DEMAND });

    const logs = new S3Bucket(this, 'team-logs', { bucketPrefix: 'consumer-team-logs-' });
    new S3BucketPublicAccessBlock(this, 'team-logs-public-access', {
      bucket: logs.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'team-logs-encryption', {
      bucket: logs.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.platform.artifacts.key.arn } }],
    });
    new S3BucketPolicy(this, 'team-logs-policy', {
      bucket: logs.id,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [logs.arn, `${logs.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    });
  }
}

const config = parseConfig({
  name: 'consumer',
  cloud: 'aws',
  region: 'us-east-1',
  network: { cidr: '10.42.0.0/16' },
  kubernetes: { version: '1.34' },
  gpuPools: [{ name: 'a10g', gpu: 'A10G', gpusPerNode: 1, maxNodes: 2, capacity: 'spot' }],
});
const app = new App({ outdir: process.argv[2] ?? 'cdktf.out' });
new ConsumerStack(app, 'consumer', config);
app.synth();
