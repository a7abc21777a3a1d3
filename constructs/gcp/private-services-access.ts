import { ComputeGlobalAddress } from '@cdktf/provider-google/lib/compute-global-address';
import { ServiceNetworkingConnection } from '@cdktf/provider-google/lib/service-networking-connection';
import { Construct } from 'constructs';
import { formatCidr, parseCidr } from '../config/cidr';

/** Prefix length of the private services range: the smallest range Cloud SQL accepts. */
export const PRIVATE_SERVICES_PREFIX = 24;

/**
 * The private services range: the last /24 of the config's `network.cidr`, in the part of the last eighth the GKE
 * address plan leaves free (gkeRanges), so the platform's address space (and the chart's database network policy,
 * which allows the config CIDR) covers the database.
 */
export function privateServicesRange(cidr: string): { readonly address: string; readonly prefixLength: number } {
  const parsed = parseCidr(cidr);
  if (typeof parsed === 'string') throw new Error(`network.cidr "${cidr}" ${parsed}`);
  if (parsed.prefix > 20) throw new Error(`network.cidr "${cidr}" is smaller than /20; the private services range needs the last /24 of a /16 to /20`);
  const size = 2 ** (32 - parsed.prefix);
  const base = parsed.base + size - 2 ** (32 - PRIVATE_SERVICES_PREFIX);
  const [address] = formatCidr({ base, prefix: PRIVATE_SERVICES_PREFIX }).split('/') as [string];
  return { address, prefixLength: PRIVATE_SERVICES_PREFIX };
}

export interface PrivateServicesAccessProps {
  readonly name: string;
  readonly project: string;
  /** The platform VPC's id. */
  readonly networkId: string;
  /** The config's `network.cidr`. */
  readonly cidr: string;
}

/**
 * Private services access on the platform VPC: an internal range reserved for VPC peering and the peering with Google's
 * service producer network (servicenetworking.googleapis.com), through which Cloud SQL gives instances private IPs.
 */
export class PrivateServicesAccess extends Construct {
  public readonly range: ComputeGlobalAddress;
  public readonly connection: ServiceNetworkingConnection;

  constructor(scope: Construct, id: string, props: PrivateServicesAccessProps) {
    super(scope, id);
    const { address, prefixLength } = privateServicesRange(props.cidr);
    this.range = new ComputeGlobalAddress(this, 'range', {
      name: `${props.name}-private-services`,
      project: props.project,
      description: 'Private services access (Cloud SQL private IPs)',
      purpose: 'VPC_PEERING',
      addressType: 'INTERNAL',
      address,
      prefixLength,
      network: props.networkId,
    });
    this.connection = new ServiceNetworkingConnection(this, 'connection', {
      network: props.networkId,
      service: 'servicenetworking.googleapis.com',
      reservedPeeringRanges: [this.range.name],
    });
  }
}
