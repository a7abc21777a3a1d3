import { gkeRanges, Network, WEBHOOK_PORTS } from '../../constructs/gcp';
import { only, resources, synthWith } from './helpers';

describe('GCP Network', () => {
  test('GIVEN a /16 and a /20 WHEN the ranges are derived THEN pods, nodes, Services and the control plane do not overlap', () => {
    // GIVEN / WHEN
    const wide = gkeRanges('10.60.0.0/16');
    const narrow = gkeRanges('10.8.0.0/20');
    // THEN
    expect(wide).toEqual({ pods: '10.60.0.0/17', nodes: '10.60.128.0/18', services: '10.60.192.0/19', controlPlane: '10.60.224.0/28' });
    expect(narrow).toEqual({ pods: '10.8.0.0/21', nodes: '10.8.8.0/22', services: '10.8.12.0/23', controlPlane: '10.8.14.0/28' });
    expect(() => gkeRanges('10.8.0.1/20')).toThrow('network.cidr "10.8.0.1/20" has host bits set; the network address is 10.8.0.0/20');
  });

  test('GIVEN a network WHEN synthesized THEN a custom-mode VPC, one node subnet with secondary ranges and Private Google Access, Cloud Router and NAT', () => {
    // GIVEN / WHEN
    const s = synthWith((scope) => new Network(scope, 'net', { name: 'acme', project: 'acme-ml-prod', region: 'us-central1', cidr: '10.60.0.0/16' }));
    // THEN
    expect(only(s, 'google_compute_network')).toMatchObject({ name: 'acme-vpc', auto_create_subnetworks: false, routing_mode: 'REGIONAL' });
    const subnet = only(s, 'google_compute_subnetwork');
    expect(subnet).toMatchObject({ name: 'acme-nodes', region: 'us-central1', ip_cidr_range: '10.60.128.0/18', private_ip_google_access: true });
    expect(subnet.secondary_ip_range).toEqual([
      { range_name: 'pods', ip_cidr_range: '10.60.0.0/17' },
      { range_name: 'services', ip_cidr_range: '10.60.192.0/19' },
    ]);
    const nat = only(s, 'google_compute_router_nat');
    expect(nat).toMatchObject({ nat_ip_allocate_option: 'AUTO_ONLY', source_subnetwork_ip_ranges_to_nat: 'LIST_OF_SUBNETWORKS' });
    expect(nat.subnetwork).toEqual([{ name: expect.stringMatching(/^\$\{google_compute_subnetwork\.net_nodes_[0-9A-F]+\.id\}$/), source_ip_ranges_to_nat: ['ALL_IP_RANGES'] }]);
    expect(nat.router).toMatch(/^\$\{google_compute_router\.net_router_[0-9A-F]+\.name\}$/);
  });

  test('GIVEN a network WHEN synthesized THEN only internal traffic and the control plane to webhook ports are allowed in; no rule opens 0.0.0.0/0', () => {
    // GIVEN / WHEN
    const s = synthWith((scope) => new Network(scope, 'net', { name: 'acme', project: 'acme-ml-prod', region: 'us-central1', cidr: '10.60.0.0/16' }));
    // THEN
    const rules = resources(s, 'google_compute_firewall').map((f) => [f.name, f.direction, f.source_ranges, f.allow]).sort();
    expect(rules).toEqual([
      ['acme-allow-internal', 'INGRESS', ['10.60.128.0/18', '10.60.0.0/17', '10.60.192.0/19'], [{ protocol: 'tcp' }, { protocol: 'udp' }, { protocol: 'icmp' }]],
      ['acme-allow-webhooks', 'INGRESS', ['10.60.224.0/28'], [{ protocol: 'tcp', ports: [...WEBHOOK_PORTS] }]],
    ]);
    expect(JSON.stringify(s.resource)).not.toContain('0.0.0.0/0');
  });
});
