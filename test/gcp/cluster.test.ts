import { Cluster, ClusterProps, ReleaseChannel } from '../../constructs/gcp';
import { only, synthWith } from './helpers';

const PROPS: ClusterProps = {
  name: 'acme',
  project: 'acme-ml-prod',
  region: 'us-central1',
  kubernetesVersion: '1.35',
  networkId: 'projects/acme-ml-prod/global/networks/acme-vpc',
  subnetId: 'projects/acme-ml-prod/regions/us-central1/subnetworks/acme-nodes',
  nodeCidr: '10.60.128.0/18',
  controlPlaneCidr: '10.60.224.0/28',
  secretsKeyId: 'projects/acme-ml-prod/locations/us-central1/keyRings/acme/cryptoKeys/gke-secrets',
  nodeServiceAccountEmail: 'acme-nodes@acme-ml-prod.iam.gserviceaccount.com',
  nodeDiskKeyId: 'projects/acme-ml-prod/locations/us-central1/keyRings/acme/cryptoKeys/node-disks',
};

describe('GCP Cluster', () => {
  test('GIVEN defaults WHEN synthesized THEN private nodes and endpoint, only the node subnet authorized, nothing public', () => {
    // GIVEN / WHEN
    const c = only(synthWith((scope) => new Cluster(scope, 'gke', PROPS)), 'google_container_cluster');
    // THEN
    expect(c.private_cluster_config).toEqual({ enable_private_nodes: true, enable_private_endpoint: true, master_ipv4_cidr_block: '10.60.224.0/28', master_global_access_config: { enabled: false } });
    expect(c.master_authorized_networks_config).toEqual({ gcp_public_cidrs_access_enabled: false, cidr_blocks: [{ cidr_block: '10.60.128.0/18', display_name: 'node subnet (bastion)' }] });
  });

  test('GIVEN defaults WHEN synthesized THEN Workload Identity, shielded nodes, a release channel, Dataplane V2, KMS-encrypted Secrets, logging and monitoring, deletion protection, no default pool', () => {
    // GIVEN / WHEN
    const c = only(synthWith((scope) => new Cluster(scope, 'gke', PROPS)), 'google_container_cluster');
    // THEN
    expect(c).toMatchObject({
      name: 'acme',
      location: 'us-central1',
      min_master_version: '1.35',
      workload_identity_config: { workload_pool: 'acme-ml-prod.svc.id.goog' },
      enable_shielded_nodes: true,
      release_channel: { channel: 'REGULAR' },
      datapath_provider: 'ADVANCED_DATAPATH',
      database_encryption: { state: 'ENCRYPTED', key_name: PROPS.secretsKeyId },
      logging_config: { enable_components: ['SYSTEM_COMPONENTS', 'APISERVER', 'WORKLOADS'] },
      monitoring_config: { enable_components: ['SYSTEM_COMPONENTS'], managed_prometheus: { enabled: true } },
      deletion_protection: true,
      remove_default_node_pool: true,
      networking_mode: 'VPC_NATIVE',
      ip_allocation_policy: { cluster_secondary_range_name: 'pods', services_secondary_range_name: 'services' },
    });
    // The default pool GKE creates before removing it is hardened too.
    expect(c.node_config.service_account).toBe(PROPS.nodeServiceAccountEmail);
    expect(c.node_config.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_integrity_monitoring: true });
    expect(c.node_config.boot_disk_kms_key).toBe(PROPS.nodeDiskKeyId);
  });

  test('GIVEN defaults WHEN synthesized THEN a CPU system pool on the node service account, 2 to 4 nodes, private, shielded, GKE metadata server', () => {
    // GIVEN / WHEN
    const p = only(synthWith((scope) => new Cluster(scope, 'gke', PROPS)), 'google_container_node_pool');
    // THEN
    expect(p).toMatchObject({
      name: 'system',
      autoscaling: { total_min_node_count: 2, total_max_node_count: 4, location_policy: 'BALANCED' },
      network_config: { enable_private_nodes: true },
      node_config: {
        machine_type: 'e2-standard-4',
        service_account: PROPS.nodeServiceAccountEmail,
        oauth_scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        shielded_instance_config: { enable_secure_boot: true, enable_integrity_monitoring: true },
        workload_metadata_config: { mode: 'GKE_METADATA' },
        metadata: { 'disable-legacy-endpoints': 'true' },
        labels: { 'vpctune.dev/pool': 'system' },
        boot_disk_kms_key: PROPS.nodeDiskKeyId,
      },
    });
    expect(p.node_config.guest_accelerator).toBeUndefined();
  });

  test('GIVEN a public endpoint with CIDRs, another channel and no deletion protection WHEN synthesized THEN the endpoint is public for those CIDRs only', () => {
    // GIVEN / WHEN
    const c = only(
      synthWith((scope) => new Cluster(scope, 'gke', { ...PROPS, publicEndpoint: true, publicAccessCidrs: ['203.0.113.0/24'], releaseChannel: ReleaseChannel.STABLE, deletionProtection: false })),
      'google_container_cluster',
    );
    // THEN
    expect(c.private_cluster_config.enable_private_endpoint).toBe(false);
    expect(c.private_cluster_config.enable_private_nodes).toBe(true);
    expect(c.master_authorized_networks_config.cidr_blocks).toEqual([{ cidr_block: '203.0.113.0/24', display_name: 'allowed 203.0.113.0/24' }]);
    expect(c.release_channel).toEqual({ channel: 'STABLE' });
    expect(c.deletion_protection).toBe(false);
  });

  test('GIVEN a public endpoint without CIDRs, or with 0.0.0.0/0, or min above max WHEN constructed THEN refused with the field named', () => {
    // GIVEN / WHEN / THEN
    expect(() => synthWith((scope) => new Cluster(scope, 'gke', { ...PROPS, publicEndpoint: true }))).toThrow(
      'Cluster acme: publicEndpoint is true but publicAccessCidrs is empty; list the CIDRs allowed to reach the API',
    );
    expect(() => synthWith((scope) => new Cluster(scope, 'gke', { ...PROPS, publicEndpoint: true, publicAccessCidrs: ['0.0.0.0/0'] }))).toThrow(
      'Cluster acme: publicAccessCidrs contains 0.0.0.0/0; list your VPN or office CIDRs instead',
    );
    expect(() => synthWith((scope) => new Cluster(scope, 'gke', { ...PROPS, systemMinNodes: 5, systemMaxNodes: 3 }))).toThrow(
      "Cluster acme: systemMinNodes 5 can't be greater than systemMaxNodes 3",
    );
  });
});
