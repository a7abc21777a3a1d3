import type { LaunchTemplateNetworkInterfaces } from '@cdktf/provider-aws/lib/launch-template';

/**
 * The launch-template network interfaces of an EFA node: one EFA interface per network card, so a multi-card shape
 * gets its full inter-node bandwidth (p5.48xlarge: 32 cards, 3200 Gbps; one interface would give one card's 100 Gbps).
 * As AWS recommends for multi-card shapes (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/efa-acc-inst-types.html):
 * network card 0 / device 0 is EFA with ENA (the node's primary interface, carrying IP traffic and the pods' VPC CNI
 * addresses); every further card gets an EFA-only interface at device index 1, which uses no subnet IP address.
 */
export function efaNetworkInterfaces(count: number, securityGroups: readonly string[]): LaunchTemplateNetworkInterfaces[] {
  if (!Number.isInteger(count) || count < 1) throw new Error(`efaNetworkInterfaces: count ${count} must be a whole number of at least 1`);
  return Array.from({ length: count }, (_, card) => ({
    networkCardIndex: card,
    deviceIndex: card === 0 ? 0 : 1,
    interfaceType: card === 0 ? 'efa' : 'efa-only',
    deleteOnTermination: 'true',
    securityGroups: [...securityGroups],
  }));
}
