import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { formatCidr, MAX_VPC_PREFIX, MIN_VPC_PREFIX, parseCidr, subnet } from '../config/cidr';

/** The private DNS zones of the private endpoints the platform creates (Azure public cloud names). */
export enum PrivateLinkZone {
  BLOB = 'privatelink.blob.core.windows.net',
  REGISTRY = 'privatelink.azurecr.io',
  KEY_VAULT = 'privatelink.vaultcore.azure.net',
}

/** Subnets of the VNet, cut from its CIDR. */
export interface AzureSubnetLayout {
  /** AKS nodes (pods use the overlay, not VNet addresses): the first half. */
  readonly nodes: string;
  /** Private endpoints (storage, registry, key vault): the fifth eighth. */
  readonly endpoints: string;
  /** The bastion VM: the eleventh sixteenth. */
  readonly management: string;
  /** `AzureBastionSubnet` (at least /26): the twelfth sixteenth. */
  readonly bastion: string;
}

export function azureSubnetLayout(vnetCidr: string): AzureSubnetLayout {
  const parsed = parseCidr(vnetCidr);
  if (typeof parsed === 'string') throw new Error(`Network: cidr ${JSON.stringify(vnetCidr)} ${parsed}`);
  if (parsed.prefix < MIN_VPC_PREFIX || parsed.prefix > MAX_VPC_PREFIX) {
    throw new Error(`Network: cidr ${vnetCidr} has prefix /${parsed.prefix}; allowed: /${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}`);
  }
  return {
    nodes: formatCidr(subnet(parsed, 1, 0)),
    endpoints: formatCidr(subnet(parsed, 3, 4)),
    management: formatCidr(subnet(parsed, 4, 10)),
    bastion: formatCidr(subnet(parsed, 4, 11)),
  };
}

export interface NetworkProps {
  /** Prefix of every resource name. */
  readonly name: string;
  readonly location: string;
  readonly resourceGroupName: string;
  /** VNet address space, /16 to /20. */
  readonly cidr: string;
  /** Zones of the NAT gateway's public IP. @default - no zone (regional) */
  readonly zones?: readonly string[];
  /** NAT idle timeout, minutes. @default 4 */
  readonly natIdleTimeoutMinutes?: number;
}

/**
 * A VNet with a node subnet and a management subnet (egress through one NAT gateway, no implicit outbound access),
 * a private-endpoint subnet and `AzureBastionSubnet`; network security groups that deny inbound traffic from the
 * internet; and the private DNS zones of the private endpoints, linked to the VNet.
 */
export class Network extends Construct {
  public readonly vnet: VirtualNetwork;
  public readonly layout: AzureSubnetLayout;
  public readonly nodeSubnet: Subnet;
  public readonly endpointSubnet: Subnet;
  public readonly managementSubnet: Subnet;
  public readonly bastionSubnet: Subnet;
  public readonly natGateway: NatGateway;
  public readonly natPublicIp: PublicIp;
  /** The node subnet's NAT gateway association: AKS needs it before it starts. */
  public readonly nodeEgress: SubnetNatGatewayAssociation;
  public readonly dnsZones: Readonly<Record<PrivateLinkZone, PrivateDnsZone>>;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.layout = azureSubnetLayout(props.cidr);
    const base = { location: props.location, resourceGroupName: props.resourceGroupName };
    this.vnet = new VirtualNetwork(this, 'vnet', { ...base, name: `${props.name}-vnet`, addressSpace: [props.cidr] });
    // Nothing in the VNet gets implicit internet egress: nodes and the bastion VM use the NAT gateway.
    const noImplicitEgress = { defaultOutboundAccessEnabled: false };
    const sub = (sid: string, name: string, cidr: string, extra: { privateEndpointNetworkPolicies?: string; defaultOutboundAccessEnabled?: boolean } = {}): Subnet =>
      new Subnet(this, sid, {
        name,
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [cidr],
        ...extra,
      });
    this.nodeSubnet = sub('nodes', 'nodes', this.layout.nodes, noImplicitEgress);
    this.endpointSubnet = sub('endpoints', 'endpoints', this.layout.endpoints, { privateEndpointNetworkPolicies: 'Enabled', ...noImplicitEgress });
    this.managementSubnet = sub('management', 'management', this.layout.management, noImplicitEgress);
    this.bastionSubnet = sub('bastion', 'AzureBastionSubnet', this.layout.bastion);

    this.natPublicIp = new PublicIp(this, 'nat-ip', {
      ...base,
      name: `${props.name}-nat`,
      allocationMethod: 'Static',
      sku: 'Standard',
      ...(props.zones !== undefined ? { zones: [...props.zones] } : {}),
    });
    this.natGateway = new NatGateway(this, 'nat', { ...base, name: `${props.name}-nat`, skuName: 'Standard', idleTimeoutInMinutes: props.natIdleTimeoutMinutes ?? 4 });
    new NatGatewayPublicIpAssociation(this, 'nat-ip-association', { natGatewayId: this.natGateway.id, publicIpAddressId: this.natPublicIp.id });
    this.nodeEgress = new SubnetNatGatewayAssociation(this, 'nodes-nat', { subnetId: this.nodeSubnet.id, natGatewayId: this.natGateway.id });
    new SubnetNatGatewayAssociation(this, 'management-nat', { subnetId: this.managementSubnet.id, natGatewayId: this.natGateway.id });

    for (const [sid, subnetRef] of [['nodes', this.nodeSubnet], ['endpoints', this.endpointSubnet], ['management', this.managementSubnet]] as const) {
      const nsg = new NetworkSecurityGroup(this, `${sid}-nsg`, {
        ...base,
        name: `${props.name}-${sid}`,
        securityRule: [
          {
            name: 'deny-internet-inbound',
            description: 'Nothing from the internet reaches this subnet; the VNet and Azure Bastion reach it privately',
            priority: 4000,
            direction: 'Inbound',
            access: 'Deny',
            protocol: '*',
            sourcePortRange: '*',
            destinationPortRange: '*',
            sourceAddressPrefix: 'Internet',
            destinationAddressPrefix: '*',
          },
        ],
      });
      new SubnetNetworkSecurityGroupAssociation(this, `${sid}-nsg-association`, { subnetId: subnetRef.id, networkSecurityGroupId: nsg.id });
    }

    const zones: Partial<Record<PrivateLinkZone, PrivateDnsZone>> = {};
    for (const zone of Object.values(PrivateLinkZone)) {
      const key = zone.split('.')[1] as string;
      const dns = new PrivateDnsZone(this, `dns-${key}`, { name: zone, resourceGroupName: props.resourceGroupName });
      new PrivateDnsZoneVirtualNetworkLink(this, `dns-${key}-link`, {
        name: `${props.name}-${key}`,
        resourceGroupName: props.resourceGroupName,
        privateDnsZoneName: dns.name,
        virtualNetworkId: this.vnet.id,
        registrationEnabled: false,
      });
      zones[zone] = dns;
    }
    this.dnsZones = zones as Record<PrivateLinkZone, PrivateDnsZone>;
  }
}
