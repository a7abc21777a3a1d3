import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { BucketPrefix } from '../platform';
import { GCP_PROFILE } from './profile';

export interface ArtifactStoreProps {
  readonly name: string;
  readonly project: string;
  readonly region: string;
  /** The Cloud KMS key objects are encrypted with by default (CMEK). */
  readonly keyId: string;
  /** The grant of that key to the Cloud Storage service agent; the bucket waits for it. @default none */
  readonly keyGrants?: readonly ITerraformDependable[];
  /** Days before objects under jobs/ are deleted. @default 30 */
  readonly jobArtifactRetentionDays?: number;
  /** Days before non-current versions are deleted. @default 30 */
  readonly noncurrentVersionRetentionDays?: number;
  /** Let `terraform destroy` delete a non-empty bucket. @default false */
  readonly forceDestroy?: boolean;
}

/**
 * The platform bucket (files/, jobs/, models/, adapters/) in the region, named as the cloud profile names it:
 * uniform bucket-level access, public access prevention enforced, CMEK, versioning, lifecycle rules like AWS's.
 */
export class ArtifactStore extends Construct {
  public readonly bucket: StorageBucket;
  /** The bucket's name, known at synth (IAM conditions are written with it). */
  public readonly bucketName: string;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const jobDays = props.jobArtifactRetentionDays ?? 30;
    const versionDays = props.noncurrentVersionRetentionDays ?? 30;
    for (const [field, v] of [['jobArtifactRetentionDays', jobDays], ['noncurrentVersionRetentionDays', versionDays]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`ArtifactStore ${props.name}: ${field} ${v} must be a whole number of days, at least 1`);
    }
    this.bucketName = GCP_PROFILE.storage.defaultLocation(props.name).bucket;
    this.bucket = new StorageBucket(this, 'bucket', {
      name: this.bucketName,
      project: props.project,
      location: props.region.toUpperCase(),
      storageClass: 'STANDARD',
      uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced',
      versioning: { enabled: true },
      encryption: { defaultKmsKeyName: props.keyId },
      forceDestroy: props.forceDestroy ?? false,
      lifecycleRule: [
        { condition: { age: jobDays, matchesPrefix: [BucketPrefix.JOBS] }, action: { type: 'Delete' } },
        { condition: { daysSinceNoncurrentTime: versionDays }, action: { type: 'Delete' } },
        { condition: { age: 7 }, action: { type: 'AbortIncompleteMultipartUpload' } },
      ],
      ...(props.keyGrants !== undefined ? { dependsOn: [...props.keyGrants] } : {}),
    });
  }
}
