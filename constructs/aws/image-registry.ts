import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { ALL_IMAGES, PlatformImage } from '../platform';
import { EncryptionKey } from './encryption-key';

export interface ImageRegistryProps {
  readonly name: string;
  /** @default controller, trainer and server */
  readonly images?: readonly PlatformImage[];
  /** Untagged images kept per repository. @default 10 */
  readonly keepUntagged?: number;
  /** Let `terraform destroy` delete repositories that hold images. @default false */
  readonly forceDelete?: boolean;
}

/** ECR repositories `<name>/<image>`: immutable tags, scan on push, KMS encryption, untagged-image expiry. */
export class ImageRegistry extends Construct {
  public readonly repositories: Readonly<Partial<Record<PlatformImage, EcrRepository>>>;

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const keep = props.keepUntagged ?? 10;
    if (!Number.isInteger(keep) || keep < 1) throw new Error(`ImageRegistry ${props.name}: keepUntagged ${keep} must be a whole number, at least 1`);
    const key = new EncryptionKey(this, 'key', { alias: `${props.name}-ecr`, description: `${props.name} image registry encryption` });
    const repos: Partial<Record<PlatformImage, EcrRepository>> = {};
    for (const image of props.images ?? ALL_IMAGES) {
      const repo = new EcrRepository(this, image, {
        name: `${props.name}/${image}`,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: key.arn }],
        forceDelete: props.forceDelete ?? false,
      });
      new EcrLifecyclePolicy(this, `${image}-lifecycle`, {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [{ rulePriority: 1, description: `keep the last ${keep} untagged images`, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: keep }, action: { type: 'expire' } }],
        }),
      });
      repos[image] = repo;
    }
    this.repositories = repos;
  }
}
