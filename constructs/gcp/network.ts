import { ComputeFirewall } from '@cdktf/provider-google/lib/compute-firewall';
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork';
import { Construct } from 'constructs';
import { GkeRanges, gkeRanges } from './subnet-ranges';

/** Names of the node subnet's secondary ranges, as the cluster's IP allocation policy refers to them. */
export enum SecondaryRange {
  PODS = 'pods',
  SERVICES = 'services',
}

/** Ports the GKE control plane calls on nodes beyond the 443 and 10250 GKE opens itself: admission webhooks (Kueue). */
export const WEBHOOK_PORTS: readonly string[] = ['8443', '9443'];

export interface NetworkProps {
  /** Prefix of every resource name. */
  readonly name: string;
  readonly project: string;
  readonly region: string;
  /** The address plan's source, /16 to /20 (see gkeRanges). */
  readonly cidr: string;
}

/**
 * A custom-mode VPC with one regional node subnet (Private Google Access on, pod and Service secondary ranges, flow
 * logs), a Cloud Router with Cloud NAT for egress, and firewall rules for what GKE needs beside its own: traffic
 * between nodes, pods and Services, and the control plane to webhook ports. Everything else inbound stays denied.
 */
export class Network extends Construct {
  public readonly network: ComputeNetwork;
  public readonly subnet: ComputeSubnetwork;
  public readonly router: ComputeRouter;
  public readonly nat: ComputeRouterNat;
  public readonly ranges: GkeRanges;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.ranges = gkeRanges(props.cidr);
    const r = this.ranges;
    this.network = new ComputeNetwork(this, 'vpc', {
      name: `${props.name}-vpc`,
      project: props.project,
      autoCreateSubnetworks: false,
      routingMode: 'REGIONAL',
    });
    this.subnet = new ComputeSubnetwork(this, 'nodes', {
      name: `${props.name}-nodes`,
      project: props.project,
      region: props.region,
      network: this.network.id,
      ipCidrRange: r.nodes,
      privateIpGoogleAccess: true,
      secondaryIpRange: [
        { rangeName: SecondaryRange.PODS, ipCidrRange: r.pods },
        { rangeName: SecondaryRange.SERVICES, ipCidrRange: r.services },
      ],
      logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
    });
    this.router = new ComputeRouter(this, 'router', { name: `${props.name}-router`, project: props.project, region: props.region, network: this.network.id });
    this.nat = new ComputeRouterNat(this, 'nat', {
      name: `${props.name}-nat`,
      project: props.project,
      region: props.region,
      router: this.router.name,
      natIpAllocateOption: 'AUTO_ONLY',
      sourceSubnetworkIpRangesToNat: 'LIST_OF_SUBNETWORKS',
      subnetwork: [{ name: this.subnet.id, sourceIpRangesToNat: ['ALL_IP_RANGES'] }],
      logConfig: { enable: true, filter: 'ERRORS_ONLY' },
    });
    new ComputeFirewall(this, 'allow-internal', {
      name: `${props.name}-allow-internal`,
      project: props.project,
      network: this.network.id,
      description: 'Nodes, pods and Services talk to each other',
      direction: 'INGRESS',
      sourceRanges: [r.nodes, r.pods, r.services],
      allow: [{ protocol: 'tcp' }, { protocol: 'udp' }, { protocol: 'icmp' }],
    });
    new ComputeFirewall(this, 'allow-control-plane-webhooks', {
      name: `${props.name}-allow-webhooks`,
      project: props.project,
      network: this.network.id,
      description: 'The GKE control plane calls admission webhooks on nodes',
      direction: 'INGRESS',
      sourceRanges: [r.controlPlane],
      allow: [{ protocol: 'tcp', ports: [...WEBHOOK_PORTS] }],
    });
  }
}
