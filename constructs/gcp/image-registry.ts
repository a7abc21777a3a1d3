import { ArtifactRegistryRepository } from '@cdktf/provider-google/lib/artifact-registry-repository';
import { ArtifactRegistryRepositoryIamMember } from '@cdktf/provider-google/lib/artifact-registry-repository-iam-member';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ALL_IMAGES, PlatformImage } from '../platform';
import { NODE_REGISTRY_ROLE } from './node-service-account';

export interface ImageRegistryProps {
  readonly name: string;
  readonly project: string;
  readonly region: string;
  /** The Cloud KMS key images are encrypted with (CMEK). */
  readonly keyId: string;
  /** The grant of that key to the Artifact Registry service agent; the repositories wait for it. @default none */
  readonly keyGrants?: readonly ITerraformDependable[];
  /** IAM members given NODE_REGISTRY_ROLE (`roles/artifactregistry.reader`) on these repositories (the nodes). @default none */
  readonly readers?: readonly string[];
  /** @default controller, trainer and server */
  readonly images?: readonly PlatformImage[];
  /** Most recent versions kept per repository; older untagged ones are deleted. @default 10 */
  readonly keepRecent?: number;
}

/** Artifact Registry Docker repositories `<name>-<image>`: CMEK, immutable tags, untagged-image cleanup. */
export class ImageRegistry extends Construct {
  public readonly repositories: Readonly<Partial<Record<PlatformImage, ArtifactRegistryRepository>>>;
  private readonly host: string;
  private readonly project: string;

  constructor(scope: Construct, id: string, props: ImageRegistryProps) {
    super(scope, id);
    const keep = props.keepRecent ?? 10;
    if (!Number.isInteger(keep) || keep < 1) throw new Error(`ImageRegistry ${props.name}: keepRecent ${keep} must be a whole number, at least 1`);
    this.host = `${props.region}-docker.pkg.dev`;
    this.project = props.project;
    const repos: Partial<Record<PlatformImage, ArtifactRegistryRepository>> = {};
    for (const image of props.images ?? ALL_IMAGES) {
      const repo = new ArtifactRegistryRepository(this, image, {
        repositoryId: `${props.name}-${image}`,
        project: props.project,
        location: props.region,
        format: 'DOCKER',
        description: `vpctune ${image} images of ${props.name}`,
        kmsKeyName: props.keyId,
        dockerConfig: { immutableTags: true },
        cleanupPolicies: [
          { id: 'keep-recent', action: 'KEEP', mostRecentVersions: { keepCount: keep } },
          { id: 'delete-untagged', action: 'DELETE', condition: { tagState: 'UNTAGGED' } },
        ],
        ...(props.keyGrants !== undefined ? { dependsOn: [...props.keyGrants] } : {}),
      });
      (props.readers ?? []).forEach((member, i) => {
        new ArtifactRegistryRepositoryIamMember(this, `${image}-reader-${i}`, {
          project: props.project,
          location: props.region,
          repository: repo.name,
          role: NODE_REGISTRY_ROLE,
          member,
        });
      });
      repos[image] = repo;
    }
    this.repositories = repos;
  }

  /** `REGION-docker.pkg.dev/PROJECT/REPOSITORY`, what `docker push` takes. */
  public repositoryUrl(image: PlatformImage): string {
    const repo = this.repositories[image];
    if (repo === undefined) throw new Error(`ImageRegistry: no repository for ${image}; repositories exist for ${Object.keys(this.repositories).join(', ')}`);
    return `${this.host}/${this.project}/${repo.repositoryId}`;
  }
}
