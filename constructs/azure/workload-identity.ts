import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Construct } from 'constructs';
import { ALL_SERVICE_ACCOUNTS, PLATFORM_NAMESPACE, ServiceAccount } from '../platform/conventions';
import { blobPrefixCondition, blobRole } from './abac-condition';

/** The role whose only action is asking Blob storage for a user delegation key (assignable at the account or above). */
export const BLOB_DELEGATOR_ROLE = 'Storage Blob Delegator';
/** Signs the trainers' per-job SAS tokens (images/controller/src/executor/kubernetes/job-credentials-azure.ts). */
export const SAS_SIGNER = ServiceAccount.CONTROLLER;
/** Service accounts whose identity holds no blob role: their pods reach storage only with a per-job SAS. */
export const SAS_ONLY_SERVICE_ACCOUNTS: readonly ServiceAccount[] = [ServiceAccount.TRAINER];

/** The audience AKS-projected service account tokens carry for Entra workload identity. */
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';

export interface WorkloadIdentityProps {
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** The cluster's OIDC issuer URL. */
  readonly oidcIssuerUrl: string;
  /** Resource Manager id of the platform container (role assignment scope). */
  readonly containerId: string;
  /** Resource Manager id of the storage account (scope of the SAS signer's Storage Blob Delegator role). */
  readonly storageAccountId: string;
  /** Resource Manager id of the registry (AcrPull scope). */
  readonly registryId: string;
  /** @default every platform service account */
  readonly serviceAccounts?: readonly ServiceAccount[];
}

/**
 * A user-assigned managed identity per platform service account, federated with exactly that Kubernetes service
 * account (`system:serviceaccount:vpctune:<sa>`) on the cluster's issuer. Each may pull from the registry. The
 * controller and the server may use the platform container only, within their prefixes (an ABAC condition on the
 * Storage Blob Data role); the trainer holds **no** blob role: its pods get per-job user delegation SAS tokens, which
 * the controller signs with a key it obtains under Storage Blob Delegator (the one role on the account: it grants
 * only `generateUserDelegationKey`, and a SAS can do nothing the signer's own data role and conditions forbid).
 * Nothing is granted on the resource group or the subscription.
 */
export class WorkloadIdentity extends Construct {
  public readonly identities: Readonly<Partial<Record<ServiceAccount, UserAssignedIdentity>>>;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    const identities: Partial<Record<ServiceAccount, UserAssignedIdentity>> = {};
    for (const sa of props.serviceAccounts ?? ALL_SERVICE_ACCOUNTS) {
      const identity = new UserAssignedIdentity(this, sa, { name: `${props.name}-${sa}`, location: props.location, resourceGroupName: props.resourceGroupName });
      new FederatedIdentityCredential(this, `${sa}-federation`, {
        name: sa,
        resourceGroupName: props.resourceGroupName,
        parentId: identity.id,
        issuer: props.oidcIssuerUrl,
        subject: `system:serviceaccount:${PLATFORM_NAMESPACE}:${sa}`,
        audience: [WORKLOAD_IDENTITY_AUDIENCE],
      });
      if (sa === SAS_SIGNER) {
        new RoleAssignment(this, `${sa}-blob-delegator`, {
          scope: props.storageAccountId,
          roleDefinitionName: BLOB_DELEGATOR_ROLE,
          principalId: identity.principalId,
          principalType: 'ServicePrincipal',
          description: `${sa}: user delegation keys for the trainers' per-job SAS tokens`,
        });
      }
      if (!SAS_ONLY_SERVICE_ACCOUNTS.includes(sa)) new RoleAssignment(this, `${sa}-blobs`, {
        scope: props.containerId,
        roleDefinitionName: blobRole(sa),
        principalId: identity.principalId,
        principalType: 'ServicePrincipal',
        description: `${sa}: its prefixes of the platform container only`,
        condition: blobPrefixCondition(sa),
        conditionVersion: '2.0',
      });
      new RoleAssignment(this, `${sa}-acr-pull`, { scope: props.registryId, roleDefinitionName: 'AcrPull', principalId: identity.principalId, principalType: 'ServicePrincipal' });
      identities[sa] = identity;
    }
    this.identities = identities;
  }
}
