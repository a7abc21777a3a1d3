/**
 * The AWS services the platform reaches through VPC endpoints, by need. The lists are the policy rules' (VPCT-AWS-023
 * and VPCT-AWS-024 check a stack against them), so a construct and its check cannot drift.
 */
import { DATABASE_ENDPOINT_SERVICES, NO_EGRESS_ENDPOINT_SERVICES, SSM_ENDPOINT_SERVICES } from '../policy/aws-hardening-rules';
import { NetworkEgress } from '../config';

/** Interface endpoints nodes use even with a NAT gateway: image pulls and IRSA credentials stay inside the VPC. */
export const NAT_ENDPOINT_SERVICES: readonly string[] = ['ecr.api', 'ecr.dkr', 'sts'];

export interface EndpointNeeds {
  readonly egress: NetworkEgress;
  /** A bastion reached through Session Manager needs the SSM endpoints. */
  readonly bastion: boolean;
  /** An RDS database whose master password RDS keeps in Secrets Manager. */
  readonly database: boolean;
}

/** The interface endpoint services (the part after `com.amazonaws.<region>.`) a platform needs, sorted. */
export function interfaceEndpointServices(needs: EndpointNeeds): string[] {
  const services = new Set<string>(needs.egress === NetworkEgress.NONE ? NO_EGRESS_ENDPOINT_SERVICES : NAT_ENDPOINT_SERVICES);
  if (needs.bastion) for (const s of SSM_ENDPOINT_SERVICES) services.add(s);
  if (needs.database && needs.egress === NetworkEgress.NONE) for (const s of DATABASE_ENDPOINT_SERVICES) services.add(s);
  return [...services].sort();
}
