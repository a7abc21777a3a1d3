import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { BucketPrefix } from '../platform';
import { EncryptionKey } from './encryption-key';
import { policyDocument } from './iam-documents';

export interface ArtifactStoreProps {
  readonly name: string;
  /** Days before objects under jobs/ expire. @default 30 */
  readonly jobArtifactRetentionDays?: number;
  /** Days before non-current versions expire. @default 30 */
  readonly noncurrentVersionRetentionDays?: number;
  /** Let `terraform destroy` delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * The platform bucket (files/, jobs/, models/, adapters/): SSE-KMS with a customer key and bucket keys,
 * versioning, all public access blocked, TLS-only policy, owner-enforced objects, lifecycle rules.
 */
export class ArtifactStore extends Construct {
  public readonly bucket: S3Bucket;
  public readonly key: EncryptionKey;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const jobDays = props.jobArtifactRetentionDays ?? 30;
    const versionDays = props.noncurrentVersionRetentionDays ?? 30;
    for (const [field, v] of [['jobArtifactRetentionDays', jobDays], ['noncurrentVersionRetentionDays', versionDays]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`ArtifactStore ${props.name}: ${field} ${v} must be a whole number of days, at least 1`);
    }
    this.key = new EncryptionKey(this, 'key', { alias: `${props.name}-artifacts`, description: `${props.name} artifact bucket encryption` });
    // A prefix, not a name: bucket names are global, and the account id is not known offline.
    this.bucket = new S3Bucket(this, 'bucket', { bucketPrefix: `${props.name}-artifacts-`, forceDestroy: props.forceDestroy ?? false });

    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, 'versioning', { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketPolicy(this, 'policy', {
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]),
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket: this.bucket.id,
      rule: [
        { id: 'expire-job-artifacts', status: 'Enabled', filter: [{ prefix: BucketPrefix.JOBS }], expiration: [{ days: jobDays }] },
        { id: 'expire-noncurrent-versions', status: 'Enabled', filter: [{}], noncurrentVersionExpiration: [{ noncurrentDays: versionDays }] },
        { id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{}], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] },
      ],
    });
  }
}
