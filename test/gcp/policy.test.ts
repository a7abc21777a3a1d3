import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluatePolicies, formatFindings, GCP_POLICY_RULES, SynthesizedStack } from '../../constructs/policy';
import { REPO, synthFile } from './helpers';

const EXAMPLES = fs.readdirSync(path.join(REPO, 'stacks', 'examples')).filter((f) => /^gcp-.*\.ya?ml$/.test(f));
const clean = synthFile('stacks/examples/gcp-a100.yaml') as unknown as SynthesizedStack;

/** A deep copy of the clean stack with one thing broken; `first(type)` is the first block of a type in the copy. */
function broken(change: (first: (type: string) => Record<string, any>, s: SynthesizedStack) => void): SynthesizedStack {
  const s = JSON.parse(JSON.stringify(clean)) as SynthesizedStack;
  change((type) => Object.values(s.resource![type]!)[0] as Record<string, any>, s);
  return s;
}
const ids = (s: SynthesizedStack, publicOk = false): string[] => evaluatePolicies(s, { allowPublicEndpoint: publicOk }).map((f) => `${f.ruleId} ${f.message}`);

describe('GCP policy rules', () => {
  test.each(EXAMPLES)('GIVEN example %s WHEN synthesized and checked THEN no findings', (file) => {
    // GIVEN / WHEN
    const s = synthFile(`stacks/examples/${file}`) as unknown as SynthesizedStack;
    // THEN
    expect(formatFindings(evaluatePolicies(s))).toBe('policy: no findings');
  });

  test('the rule set has ids VPCT-GCP-001..012 with a one-line rationale', () => {
    expect(GCP_POLICY_RULES.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => `VPCT-GCP-${String(i + 1).padStart(3, '0')}`));
    for (const r of GCP_POLICY_RULES) expect(r.rationale).toMatch(/^[A-Z][^\n]{20,200}$/);
  });

  test('GIVEN public nodes, a public endpoint open to the world WHEN checked THEN VPCT-GCP-001 fires for each, and the endpoint is allowed only when configured and limited', () => {
    // GIVEN
    const s = broken((first) => {
      const c = first('google_container_cluster');
      c.private_cluster_config.enable_private_nodes = false;
      c.private_cluster_config.enable_private_endpoint = false;
      c.master_authorized_networks_config = { cidr_blocks: [{ cidr_block: '0.0.0.0/0' }], gcp_public_cidrs_access_enabled: true };
      first('google_container_node_pool').network_config.enable_private_nodes = false;
    });
    // WHEN / THEN
    expect(ids(s)).toEqual([
      'VPCT-GCP-001 master_authorized_networks_config allows 0.0.0.0/0: the public endpoint is open to the internet',
      'VPCT-GCP-001 master_authorized_networks_config.gcp_public_cidrs_access_enabled = true lets any Google Cloud IP reach the endpoint',
      'VPCT-GCP-001 private_cluster_config.enable_private_endpoint = false: the API endpoint is public but the platform config does not allow it (kubernetes.publicEndpoint: false)',
      'VPCT-GCP-001 private_cluster_config.enable_private_nodes = false; set it to true',
      "VPCT-GCP-001 network_config.enable_private_nodes = false gives this pool's nodes public IPs",
    ]);
    const limited = broken((first) => {
      const c = first('google_container_cluster');
      c.private_cluster_config.enable_private_endpoint = false;
      c.master_authorized_networks_config = { cidr_blocks: [{ cidr_block: '203.0.113.0/24' }] };
    });
    expect(ids(limited, true)).toEqual([]);
    expect(ids(broken((first) => { first('google_container_cluster').private_cluster_config.enable_private_endpoint = false; delete first('google_container_cluster').master_authorized_networks_config; }), true)).toEqual([
      'VPCT-GCP-001 master_authorized_networks_config is unset: a public endpoint accepts every address; list the allowed CIDRs',
    ]);
  });

  test('GIVEN no secrets key, no bucket key, no registry key WHEN checked THEN VPCT-GCP-002, 003 and 004 fire', () => {
    // GIVEN
    const s = broken((first) => {
      delete first('google_container_cluster').database_encryption;
      delete first('google_storage_bucket').encryption;
      delete first('google_artifact_registry_repository').kms_key_name;
    });
    // WHEN / THEN
    expect(ids(s)).toEqual([
      'VPCT-GCP-002 database_encryption.state is unset (Secrets are stored with Google-managed keys only) without key_name; set state = "ENCRYPTED" with a Cloud KMS key',
      'VPCT-GCP-003 encryption.default_kms_key_name is unset: objects use Google-managed keys; set a Cloud KMS key',
      'VPCT-GCP-004 kms_key_name is unset: images use Google-managed keys; set a Cloud KMS key',
    ]);
  });

  test('GIVEN public access prevention inherited, ACLs on, an allUsers grant WHEN checked THEN VPCT-GCP-005 fires for each', () => {
    // GIVEN
    const s = broken((first) => {
      first('google_storage_bucket').public_access_prevention = 'inherited';
      first('google_storage_bucket').uniform_bucket_level_access = false;
      first('google_storage_bucket_iam_member').member = 'allUsers';
    });
    // WHEN / THEN
    expect(ids(s)).toEqual([
      'VPCT-GCP-005 public_access_prevention = "inherited"; set it to "enforced"',
      'VPCT-GCP-005 uniform_bucket_level_access = false; set it to true',
      'VPCT-GCP-005 grants "roles/storage.objectViewer" to allUsers: the resource becomes public',
    ]);
  });

  test('GIVEN a basic role (on the node service account) and a service account key WHEN checked THEN VPCT-GCP-006, 007 and 011 fire', () => {
    // GIVEN
    const s = broken((first, st) => {
      first('google_project_iam_member').role = 'roles/editor';
      st.resource!['google_service_account_key'] = { ci: { service_account_id: '${google_service_account.x.name}' } };
    });
    // WHEN / THEN
    expect(ids(s).map((f) => f.replace(/_[0-9A-F]{8}\b/g, ''))).toEqual([
      'VPCT-GCP-006 role = "roles/editor" is a basic role; grant predefined roles scoped to the job',
      'VPCT-GCP-007 creates a service account key (a long-lived credential, also written to Terraform state); use Workload Identity instead',
      'VPCT-GCP-011 grants "roles/editor" on the project to node service account google_service_account.platform_node-service-account; nodes may hold only roles/container.defaultNodeServiceAccount, roles/logging.logWriter, roles/monitoring.metricWriter, roles/monitoring.viewer, roles/stackdriver.resourceMetadata.writer, roles/autoscaling.metricsWriter',
    ]);
  });

  test('GIVEN shielded nodes off, no secure boot, the default compute service account WHEN checked THEN VPCT-GCP-008 and 009 fire', () => {
    // GIVEN
    const s = broken((first) => {
      first('google_container_cluster').enable_shielded_nodes = false;
      delete first('google_container_node_pool').node_config.shielded_instance_config;
      first('google_container_node_pool').node_config.service_account = '123456789012-compute@developer.gserviceaccount.com';
      delete first('google_container_cluster').node_config.service_account;
    });
    // WHEN / THEN
    expect(ids(s)).toEqual([
      'VPCT-GCP-008 enable_shielded_nodes = false: nodes cannot prove their identity; set it to true',
      'VPCT-GCP-008 node_config.shielded_instance_config.enable_secure_boot is unset (defaults to false); set it to true',
      'VPCT-GCP-009 node_config (the default pool GKE creates first).service_account is unset (the Compute Engine default service account) runs nodes with Editor on the project; set a node service account with minimal roles',
      'VPCT-GCP-009 node_config.service_account = "123456789012-compute@developer.gserviceaccount.com" runs nodes with Editor on the project; set a node service account with minimal roles',
    ]);
  });

  test('GIVEN a subnet without flow logs and one sampling nothing WHEN checked THEN VPCT-GCP-010 fires for each', () => {
    // GIVEN
    const off = broken((first) => delete first('google_compute_subnetwork').log_config);
    const zero = broken((first) => (first('google_compute_subnetwork').log_config.flow_sampling = 0));
    // WHEN / THEN
    expect(ids(off)).toEqual(['VPCT-GCP-010 log_config is unset: VPC flow logs are off for this subnet; set log_config (aggregation_interval, flow_sampling, metadata)']);
    expect(ids(zero)).toEqual(['VPCT-GCP-010 log_config.flow_sampling = 0 records no flows; sample a share above 0 (the platform uses 0.5)']);
  });

  test('GIVEN the node service account granted a project role beyond logs and metrics, and usable by a pod WHEN checked THEN VPCT-GCP-011 fires for each', () => {
    // GIVEN
    const s = broken((first, st) => {
      const nodeAccount = Object.keys(st.resource!['google_service_account']!).find((k) => k.includes('node-service-account'))!;
      first('google_project_iam_member').role = 'roles/storage.admin';
      st.resource!['google_service_account_iam_member']!['pod_as_node'] = {
        service_account_id: `\${google_service_account.${nodeAccount}.name}`,
        role: 'roles/iam.workloadIdentityUser',
        member: 'serviceAccount:acme-ml-prod.svc.id.goog[vpctune/vpctune-trainer]',
      };
    });
    // WHEN
    const found = ids(s).map((f) => f.replace(/_[0-9A-F]{8}\b/g, ''));
    // THEN
    expect(found).toEqual([
      'VPCT-GCP-011 grants "roles/storage.admin" on the project to node service account google_service_account.platform_node-service-account; nodes may hold only roles/container.defaultNodeServiceAccount, roles/logging.logWriter, roles/monitoring.metricWriter, roles/monitoring.viewer, roles/stackdriver.resourceMetadata.writer, roles/autoscaling.metricsWriter',
      'VPCT-GCP-011 lets Kubernetes service account "serviceAccount:acme-ml-prod.svc.id.goog[vpctune/vpctune-trainer]" act as node service account google_service_account.platform_node-service-account; give the workload its own Google service account',
      // The trainer's pod acting as an account with a storage role is also a tenant-isolation finding.
      "VPCT-GCP-018 grants \"roles/storage.admin\" on the project to the trainer's service account google_service_account.platform_node-service-account; the trainer's identity holds no bucket role (per-job downscoped tokens from the controller)",
    ]);
  });

  test('GIVEN node pools, the default pool and a VM without a boot disk key WHEN checked THEN VPCT-GCP-012 fires for each', () => {
    // GIVEN
    const s = broken((first, st) => {
      delete first('google_container_cluster').node_config.boot_disk_kms_key;
      delete first('google_container_node_pool').node_config.boot_disk_kms_key;
      st.resource!['google_compute_instance'] = { jump: { name: 'jump', boot_disk: { initialize_params: { image: 'debian-cloud/debian-12' } } } };
    });
    // WHEN / THEN
    expect(ids(s)).toEqual([
      'VPCT-GCP-012 boot_disk.kms_key_self_link is unset: the boot disk uses Google-managed keys; set a Cloud KMS key',
      'VPCT-GCP-012 node_config (the default pool GKE creates first).boot_disk_kms_key is unset: boot disks use Google-managed keys; set a Cloud KMS key',
      'VPCT-GCP-012 node_config.boot_disk_kms_key is unset: boot disks use Google-managed keys; set a Cloud KMS key',
    ]);
  });
});
