import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';

/** Project roles GKE nodes need to ship logs and metrics (Google's least-privilege node service account). */
export const NODE_PROJECT_ROLES: readonly string[] = ['roles/logging.logWriter', 'roles/monitoring.metricWriter', 'roles/monitoring.viewer'];
/** Granted on the platform's image repositories only, not the project. */
export const NODE_REGISTRY_ROLE = 'roles/artifactregistry.reader';

/** The nodes' own Google service account: never the Compute Engine default one, which holds Editor. */
export class NodeServiceAccount extends Construct {
  public readonly account: ServiceAccount;
  /** `serviceAccount:EMAIL`, for IAM bindings. */
  public readonly member: string;

  constructor(scope: Construct, id: string, props: { readonly name: string; readonly project: string }) {
    super(scope, id);
    this.account = new ServiceAccount(this, 'account', {
      accountId: `${props.name}-nodes`,
      project: props.project,
      displayName: `${props.name} GKE nodes`,
      description: 'GKE node identity: logs, metrics and image pulls only',
    });
    this.member = `serviceAccount:${this.account.email}`;
    NODE_PROJECT_ROLES.forEach((role) => {
      new ProjectIamMember(this, role.replace(/^roles\//, '').replace(/\./g, '-'), { project: props.project, role, member: this.member });
    });
  }

  get email(): string {
    return this.account.email;
  }
}
