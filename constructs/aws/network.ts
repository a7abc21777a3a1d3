import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Construct } from 'constructs';
import { deriveSubnets, NatGateways, NetworkEgress } from '../config';
import { EncryptionKey } from './encryption-key';
import { NAT_ENDPOINT_SERVICES } from './vpc-endpoint-services';
import { VpcFlowLogs } from './vpc-flow-logs';

export interface NetworkProps {
  /** Prefix of every resource name. */
  readonly name: string;
  readonly region: string;
  /** VPC CIDR, /16 to /20. */
  readonly cidr: string;
  /** @default - zones a, b and c of the region */
  readonly availabilityZones?: readonly string[];
  /** @default NatGateways.SINGLE (no NAT gateway at all with NetworkEgress.NONE) */
  readonly natGateways?: NatGateways;
  /**
   * NAT: private subnets reach the internet through NAT gateways in small public subnets. NONE: no internet gateway,
   * no public subnets, no NAT: AWS services only through the VPC endpoints (give every one the platform uses).
   * @default NetworkEgress.NAT
   */
  readonly egress?: NetworkEgress;
  /** Encrypts the flow-log group; its policy must let CloudWatch Logs use it (KeyUser.CLOUDWATCH_LOGS). */
  readonly logKey: EncryptionKey;
  /** Days the flow logs are kept. @default 90 */
  readonly flowLogRetentionDays?: number;
  /** The EKS cluster name, for the subnet discovery tags load balancers use. */
  readonly clusterName: string;
  /**
   * Interface endpoints so nodes pull images and get credentials without the internet (see
   * `interfaceEndpointServices` for the list a platform needs).
   * @default NAT_ENDPOINT_SERVICES: ecr.api, ecr.dkr, sts
   */
  readonly interfaceEndpoints?: readonly string[];
}

/**
 * A VPC over up to three zones: private subnets for nodes (no public IPs), small public subnets that hold
 * only NAT gateways (none with NetworkEgress.NONE), an S3 gateway endpoint and interface endpoints, flow logs of all
 * traffic to an encrypted log group, and the default security group stripped of every rule (nothing may use it).
 */
export class Network extends Construct {
  public readonly vpc: Vpc;
  public readonly privateSubnets: readonly Subnet[];
  public readonly publicSubnets: readonly Subnet[];
  public readonly privateRouteTables: readonly RouteTable[];
  public readonly availabilityZones: readonly string[];
  public readonly endpointSecurityGroup: SecurityGroup;
  public readonly egress: NetworkEgress;
  public readonly flowLogs: VpcFlowLogs;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const zones = props.availabilityZones ?? ['a', 'b', 'c'].map((z) => `${props.region}${z}`);
    if (zones.length < 1 || zones.length > 3) {
      throw new Error(`Network ${props.name}: availabilityZones has ${zones.length} entries; allowed: 1 to 3`);
    }
    this.availabilityZones = zones;
    const layout = deriveSubnets(props.cidr, zones.length);
    const natMode = props.natGateways ?? NatGateways.SINGLE;
    this.egress = props.egress ?? NetworkEgress.NAT;
    const withNat = this.egress === NetworkEgress.NAT;
    const clusterTag = { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' };

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: props.cidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: `${props.name}-vpc` },
    });
    // Taking over the default security group with no rules removes the ones AWS put in it (CIS AWS 5.4).
    new DefaultSecurityGroup(this, 'default-sg', { vpcId: this.vpc.id, tags: { Name: `${props.name}-default-unused` } });
    this.flowLogs = new VpcFlowLogs(this, 'flow-logs', {
      name: props.name,
      vpcId: this.vpc.id,
      key: props.logKey,
      ...(props.flowLogRetentionDays !== undefined ? { retentionDays: props.flowLogRetentionDays } : {}),
    });

    const { publicSubnets, nats } = withNat ? this.natPath(props, zones, layout.publicSubnets, natMode, clusterTag) : { publicSubnets: [], nats: [] };
    this.publicSubnets = publicSubnets;

    const privateRts: RouteTable[] = [];
    this.privateSubnets = zones.map((az, i) => {
      const s = new Subnet(this, `private-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: layout.privateSubnets[i] as string,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-private-${az}`, 'kubernetes.io/role/internal-elb': '1', 'vpctune.dev/tier': 'private', ...clusterTag },
      });
      const rt = new RouteTable(this, `private-rt-${i}`, { vpcId: this.vpc.id, tags: { Name: `${props.name}-private-${az}` } });
      if (withNat) {
        new Route(this, `private-default-${i}`, {
          routeTableId: rt.id,
          destinationCidrBlock: '0.0.0.0/0',
          natGatewayId: (nats[natMode === NatGateways.PER_AZ ? i : 0] as NatGateway).id,
        });
      }
      new RouteTableAssociation(this, `private-rta-${i}`, { subnetId: s.id, routeTableId: rt.id });
      privateRts.push(rt);
      return s;
    });
    this.privateRouteTables = privateRts;
    this.endpointSecurityGroup = this.endpoints(props, privateRts);
  }

  /** The internet gateway, one public subnet per zone holding the NAT gateways, and the NAT gateways. */
  private natPath(
    props: NetworkProps,
    zones: readonly string[],
    cidrs: readonly string[],
    natMode: NatGateways,
    clusterTag: Record<string, string>,
  ): { publicSubnets: Subnet[]; nats: NatGateway[] } {
    const igw = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: `${props.name}-igw` } });
    const publicRt = new RouteTable(this, 'public-rt', { vpcId: this.vpc.id, tags: { Name: `${props.name}-public` } });
    new Route(this, 'public-default', { routeTableId: publicRt.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });

    const publicSubnets = zones.map((az, i) => {
      const s = new Subnet(this, `public-${i}`, {
        vpcId: this.vpc.id,
        availabilityZone: az,
        cidrBlock: cidrs[i] as string,
        // NAT gateways carry their own Elastic IP; nothing in these subnets needs an automatic public IP.
        mapPublicIpOnLaunch: false,
        tags: { Name: `${props.name}-public-${az}`, 'kubernetes.io/role/elb': '1', 'vpctune.dev/tier': 'public', ...clusterTag },
      });
      new RouteTableAssociation(this, `public-rta-${i}`, { subnetId: s.id, routeTableId: publicRt.id });
      return s;
    });

    const natCount = natMode === NatGateways.PER_AZ ? zones.length : 1;
    const nats = [...Array(natCount).keys()].map((i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: 'vpc', tags: { Name: `${props.name}-nat-${i}` }, dependsOn: [igw] });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.id,
        subnetId: (publicSubnets[i] as Subnet).id,
        tags: { Name: `${props.name}-nat-${i}` },
        dependsOn: [igw],
      });
    });
    return { publicSubnets, nats };
  }

  /** The S3 gateway endpoint on the private route tables and the interface endpoints in the private subnets. */
  private endpoints(props: NetworkProps, privateRts: readonly RouteTable[]): SecurityGroup {
    new VpcEndpoint(this, 's3-endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: privateRts.map((rt) => rt.id),
      tags: { Name: `${props.name}-s3` },
    });

    const group = new SecurityGroup(this, 'endpoint-sg', {
      name: `${props.name}-vpc-endpoints`,
      description: 'HTTPS from inside the VPC to interface endpoints',
      vpcId: this.vpc.id,
      ingress: [{ description: 'HTTPS from the VPC', fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: [props.cidr] }],
      egress: [{ description: 'Replies inside the VPC', fromPort: 0, toPort: 0, protocol: '-1', cidrBlocks: [props.cidr] }],
      tags: { Name: `${props.name}-vpc-endpoints` },
    });
    for (const service of props.interfaceEndpoints ?? NAT_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `${service.replace(/\./g, '-')}-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.privateSubnets.map((s) => s.id),
        securityGroupIds: [group.id],
        tags: { Name: `${props.name}-${service}` },
      });
    }
    return group;
  }
}
