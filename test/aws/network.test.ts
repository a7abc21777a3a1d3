import { EncryptionKey, KeyUser, Network } from '../../constructs/aws';
import { NatGateways } from '../../constructs/config';
import { resources, synthWith } from './helpers';

const logKey = (scope: import('constructs').Construct) => new EncryptionKey(scope, 'key', { alias: 'acme-platform', description: 'logs', users: [KeyUser.CLOUDWATCH_LOGS] });

describe('Network', () => {
  test('GIVEN defaults WHEN synthesized THEN three zones, private node subnets without public IPs, one NAT, endpoints', () => {
    // WHEN
    const s = synthWith((scope) => new Network(scope, 'net', { name: 'acme', region: 'us-east-1', cidr: '10.42.0.0/16', clusterName: 'acme', logKey: logKey(scope) }));
    // THEN
    const subnets = resources(s, 'aws_subnet');
    const rows = subnets.map((x) => [x.cidr_block, x.availability_zone, x.map_public_ip_on_launch, (x.tags as Record<string, string>)['vpctune.dev/tier']]);
    expect(rows.sort((a, b) => String(a[1]).localeCompare(String(b[1])) || String(a[3]).localeCompare(String(b[3])))).toEqual([
      ['10.42.0.0/18', 'us-east-1a', false, 'private'],
      ['10.42.192.0/20', 'us-east-1a', false, 'public'],
      ['10.42.64.0/18', 'us-east-1b', false, 'private'],
      ['10.42.208.0/20', 'us-east-1b', false, 'public'],
      ['10.42.128.0/18', 'us-east-1c', false, 'private'],
      ['10.42.224.0/20', 'us-east-1c', false, 'public'],
    ]);
    expect(resources(s, 'aws_nat_gateway')).toHaveLength(1);
    const endpoints = resources(s, 'aws_vpc_endpoint').map((e) => [e.service_name, e.vpc_endpoint_type]).sort();
    expect(endpoints).toEqual([
      ['com.amazonaws.us-east-1.ecr.api', 'Interface'],
      ['com.amazonaws.us-east-1.ecr.dkr', 'Interface'],
      ['com.amazonaws.us-east-1.s3', 'Gateway'],
      ['com.amazonaws.us-east-1.sts', 'Interface'],
    ]);
    const privateRoutes = resources(s, 'aws_route').filter((r) => r.nat_gateway_id !== undefined);
    expect(privateRoutes).toHaveLength(3);
    expect(new Set(privateRoutes.map((r) => r.nat_gateway_id)).size).toBe(1);
  });

  test('GIVEN per-AZ NAT and two zones WHEN synthesized THEN one NAT per zone, each private route to its own', () => {
    const s = synthWith(
      (scope) =>
        new Network(scope, 'net', {
          name: 'acme',
          region: 'eu-west-1',
          cidr: '10.8.0.0/20',
          clusterName: 'acme', logKey: logKey(scope),
          natGateways: NatGateways.PER_AZ,
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        }),
    );
    expect(resources(s, 'aws_nat_gateway')).toHaveLength(2);
    const routes = resources(s, 'aws_route').filter((r) => r.nat_gateway_id !== undefined);
    expect(new Set(routes.map((r) => r.nat_gateway_id)).size).toBe(2);
    expect(resources(s, 'aws_subnet').map((x) => x.cidr_block).sort()).toEqual(['10.8.0.0/22', '10.8.12.0/24', '10.8.13.0/24', '10.8.4.0/22']);
  });

  test('GIVEN four zones WHEN constructed THEN refused with the count and the limit', () => {
    expect(() =>
      synthWith((scope) => new Network(scope, 'net', { name: 'acme', region: 'us-east-1', cidr: '10.42.0.0/16', clusterName: 'acme', logKey: logKey(scope), availabilityZones: ['a', 'b', 'c', 'd'] })),
    ).toThrow('Network acme: availabilityZones has 4 entries; allowed: 1 to 3');
  });

  test('GIVEN an invalid CIDR WHEN constructed THEN the CIDR problem is named', () => {
    expect(() => synthWith((scope) => new Network(scope, 'net', { name: 'acme', region: 'us-east-1', cidr: '10.42.0.0', clusterName: 'acme', logKey: logKey(scope) }))).toThrow(
      'network.cidr "10.42.0.0" is not an IPv4 CIDR block like 10.42.0.0/16',
    );
  });
});
