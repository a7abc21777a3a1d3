import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { Construct } from 'constructs';
import { formatCidr, parseCidr, subnet } from '../config/cidr';

/** The service a flexible server's subnet is delegated to. */
export const FLEXIBLE_SERVER_DELEGATION = 'Microsoft.DBforPostgreSQL/flexibleServers';

/**
 * The database subnet: the thirteenth sixteenth of the VNet CIDR, free in the Azure subnet layout (nodes take the
 * first half, endpoints the fifth eighth, management and bastion the eleventh and twelfth sixteenths).
 */
export function databaseSubnetCidr(vnetCidr: string): string {
  const parsed = parseCidr(vnetCidr);
  if (typeof parsed === 'string') throw new Error(`DatabaseNetwork: cidr ${JSON.stringify(vnetCidr)} ${parsed}`);
  return formatCidr(subnet(parsed, 4, 12));
}

export interface DatabaseNetworkProps {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly vnetName: string;
  readonly vnetId: string;
  /** The VNet's CIDR (the config's network.cidr). */
  readonly vnetCidr: string;
}

/**
 * What a flexible server with private access needs: a subnet delegated to it and a private DNS zone linked to the VNet,
 * in which the server registers its name. The zone is `<name>.private.postgres.database.azure.com`: VNet-integrated
 * servers need a zone ending in `private.postgres.database.azure.com` (`privatelink.postgres…` is the private endpoint zone).
 */
export class DatabaseNetwork extends Construct {
  public readonly subnet: Subnet;
  public readonly dnsZone: PrivateDnsZone;
  public readonly dnsLink: PrivateDnsZoneVirtualNetworkLink;

  constructor(scope: Construct, id: string, props: DatabaseNetworkProps) {
    super(scope, id);
    this.subnet = new Subnet(this, 'subnet', {
      name: 'database',
      resourceGroupName: props.resourceGroupName,
      virtualNetworkName: props.vnetName,
      addressPrefixes: [databaseSubnetCidr(props.vnetCidr)],
      defaultOutboundAccessEnabled: false,
      delegation: [{ name: 'postgres', serviceDelegation: { name: FLEXIBLE_SERVER_DELEGATION, actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] } }],
    });
    this.dnsZone = new PrivateDnsZone(this, 'dns', { name: `${props.name}.private.postgres.database.azure.com`, resourceGroupName: props.resourceGroupName });
    this.dnsLink = new PrivateDnsZoneVirtualNetworkLink(this, 'dns-link', {
      name: `${props.name}-database`,
      resourceGroupName: props.resourceGroupName,
      privateDnsZoneName: this.dnsZone.name,
      virtualNetworkId: props.vnetId,
      registrationEnabled: false,
    });
  }
}
