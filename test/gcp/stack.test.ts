import { Accelerator, Cloud, findSku, skusFor } from '../../constructs/catalog';
import { ConfigError, parseConfig } from '../../constructs/config';
import { prefixCondition } from '../../constructs/gcp';
import { BucketPrefix } from '../../constructs/platform';
import { gcpConfig, only, resources, synthFile, TODAY } from './helpers';

describe('GCP platform stack', () => {
  const all = synthFile('stacks/examples/gcp-all-gpus.yaml');
  const pools = resources(all, 'google_container_node_pool');

  test.each(skusFor(Cloud.GCP).map((s) => [s.instanceType, s] as const))('GIVEN the all-GPU example WHEN synthesized THEN one pool of shape %s, with its GPU and GKE installing the driver', (type, sku) => {
    // GIVEN / WHEN (above)
    const pool = pools.find((p) => p.node_config.machine_type === type);
    // THEN
    expect(pool).toBeDefined();
    expect(pool!.node_config.guest_accelerator[0]).toMatchObject({ count: sku.gpuCount, gpu_driver_installation_config: { gpu_driver_version: 'LATEST' } });
    expect(pool!.node_config.spot).toBe(sku.spotOnly === true || ['a100-40-x1', 'a100-40-x2', 'a100-80-x1'].includes(pool!.node_config.labels['vpctune.dev/pool']));
    expect(pool!.node_locations).toEqual(sku.accelerator === Accelerator.A100_40GB ? ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'] : ['us-central1-a', 'us-central1-c']);
    expect(pool!.node_config.service_account).toMatch(/^\$\{google_service_account\.platform_node-service-account_[0-9A-F]+\.email\}$/);
  });

  test('GIVEN the all-GPU example WHEN synthesized THEN a GCS backend, the provider on the project, outputs named like AWS, a bastion', () => {
    // THEN
    expect(all.terraform!.backend).toEqual({ gcs: { bucket: 'acme-terraform-state', prefix: 'vpctune/gcp-all' } });
    expect(all.terraform!.required_providers.google.version).toBe('6.50.0');
    expect(all.provider!.google![0]).toEqual({ project: 'acme-ml-prod', region: 'us-central1', default_labels: { vpctune_platform: 'gcp-all', managed_by: 'vpctune', team: 'ml-platform' } });
    expect(Object.keys(all.output!).sort()).toEqual([
      'bastion_instance', 'bucket', 'cluster_ca_certificate', 'cluster_endpoint', 'cluster_name', 'database_endpoint', 'database_secret_id', 'gpu_pools', 'registry_controller', 'registry_server', 'registry_trainer',
      'service_account_vpctune_controller', 'service_account_vpctune_server', 'service_account_vpctune_trainer',
    ]);
    expect((all.output!['gpu_pools']!.value as Record<string, string>)['h100-x8']).toBe('a3-highgpu-8g');
    expect(all.output!['registry_trainer']!.value).toMatch(/^us-central1-docker\.pkg\.dev\/acme-ml-prod\/\$\{google_artifact_registry_repository\.platform_registry_trainer_[0-9A-F]+\.repository_id\}$/);
    expect(all.output!['service_account_vpctune_trainer']!.value).toMatch(/^\$\{google_service_account\.platform_identity_vpctune-trainer_[0-9A-F]+\.email\}$/);
  });

  test('GIVEN bastion.enabled WHEN synthesized THEN an IAP-only VM: no external IP, SSH from 35.235.240.0/20 only, OS Login, shielded', () => {
    // THEN
    const vm = only(all, 'google_compute_instance');
    expect(vm.network_interface).toEqual([{ subnetwork: expect.stringMatching(/google_compute_subnetwork/) }]);
    expect(vm.network_interface[0].access_config).toBeUndefined();
    expect(vm).toMatchObject({ zone: 'us-central1-b', metadata: { 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE' }, shielded_instance_config: { enable_secure_boot: true } });
    // Its boot disk is under the platform's node-disks key, and the VM waits for Compute Engine's grant on it.
    expect(vm.boot_disk.kms_key_self_link).toMatch(/^\$\{google_kms_crypto_key\.platform_node-disks-key_[0-9A-F]+\.id\}$/);
    expect(vm.depends_on).toEqual([expect.stringMatching(/^google_kms_crypto_key_iam_member\.platform_node-disks-key_user-0_[0-9A-F]+$/)]);
    const iap = resources(all, 'google_compute_firewall').find((f) => f.name === 'gcp-all-allow-iap-ssh')!;
    expect(iap).toMatchObject({ source_ranges: ['35.235.240.0/20'], target_tags: ['gcp-all-bastion'], allow: [{ protocol: 'tcp', ports: ['22'] }] });
  });

  test('GIVEN a stack WHEN synthesized THEN a CMEK bucket with uniform access, public access prevention, versioning and lifecycle rules from the config', () => {
    // THEN
    const b = only(all, 'google_storage_bucket');
    expect(b).toMatchObject({ name: 'gcp-all-artifacts', location: 'US-CENTRAL1', uniform_bucket_level_access: true, public_access_prevention: 'enforced', versioning: { enabled: true }, force_destroy: false });
    expect(b.encryption.default_kms_key_name).toMatch(/^\$\{google_kms_crypto_key\.platform_artifacts-key_[0-9A-F]+\.id\}$/);
    expect(b.lifecycle_rule).toEqual([
      { condition: { age: 14, matches_prefix: ['jobs/'] }, action: { type: 'Delete' } },
      { condition: { days_since_noncurrent_time: 30 }, action: { type: 'Delete' } },
      { condition: { age: 7 }, action: { type: 'AbortIncompleteMultipartUpload' } },
    ]);
    expect(b.depends_on).toEqual([expect.stringMatching(/^google_kms_crypto_key_iam_member\.platform_artifacts-key_user-0_/)]);
  });

  test('GIVEN a stack WHEN synthesized THEN three CMEK Docker repositories the nodes may read, and rotating keys each granted to its service agent only', () => {
    // THEN
    const repos = resources(all, 'google_artifact_registry_repository');
    expect(repos.map((r) => [r.repository_id, r.format, r.docker_config.immutable_tags]).sort()).toEqual([
      ['gcp-all-controller', 'DOCKER', true], ['gcp-all-server', 'DOCKER', true], ['gcp-all-trainer', 'DOCKER', true],
    ]);
    for (const r of repos) expect(r.kms_key_name).toMatch(/platform_registry-key_[0-9A-F]+\.id/);
    expect(resources(all, 'google_artifact_registry_repository_iam_member').map((m) => m.role)).toEqual(Array(3).fill('roles/artifactregistry.reader'));
    expect(resources(all, 'google_kms_crypto_key').map((k) => [k.name, k.rotation_period]).sort()).toEqual([['artifacts', '7776000s'], ['database', '7776000s'], ['gke-secrets', '7776000s'], ['node-disks', '7776000s'], ['registry', '7776000s']]);
    const grants = resources(all, 'google_kms_crypto_key_iam_member').map((g) => [g.role, g.member.replace(/\$\{data\.google_project\.[^}]+\}/, 'NUMBER').replace(/\$\{data\.google_storage_project_service_account\.[^}]+\}/, 'GCS_AGENT')]);
    expect(grants.sort()).toEqual([
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:GCS_AGENT'],
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:service-NUMBER@compute-system.iam.gserviceaccount.com'],
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:service-NUMBER@container-engine-robot.iam.gserviceaccount.com'],
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:service-NUMBER@gcp-sa-artifactregistry.iam.gserviceaccount.com'],
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:service-NUMBER@gcp-sa-cloud-sql.iam.gserviceaccount.com'],
      ['roles/cloudkms.cryptoKeyEncrypterDecrypter', 'serviceAccount:service-NUMBER@gcp-sa-secretmanager.iam.gserviceaccount.com'],
    ]);
    expect(resources(all, 'google_project_iam_member').map((m) => m.role)).toEqual(['roles/logging.logWriter', 'roles/monitoring.metricWriter', 'roles/monitoring.viewer']);
  });

  test('GIVEN a stack WHEN synthesized THEN one Google service account per platform service account, bound to its Kubernetes one, bucket roles scoped to its prefixes, none for the trainer', () => {
    // THEN
    const bindings = resources(all, 'google_service_account_iam_member').map((b) => [b.role, b.member.replace(/^serviceAccount:\$\{google_service_account\.platform_identity_(vpctune-[a-z]+)_[0-9A-F]+\.email\}$/, 'ACCOUNT:$1')]).sort();
    expect(bindings).toEqual([
      ['roles/iam.serviceAccountTokenCreator', 'ACCOUNT:vpctune-controller'],
      ...['vpctune-controller', 'vpctune-server', 'vpctune-trainer'].map((sa) => ['roles/iam.workloadIdentityUser', `serviceAccount:acme-ml-prod.svc.id.goog[vpctune/${sa}]`]),
    ]);
    const impersonation = resources(all, 'google_service_account_iam_member').find((b) => b.role === 'roles/iam.serviceAccountTokenCreator');
    expect(impersonation?.service_account_id).toMatch(/^\$\{google_service_account\.platform_identity_trainer-job_[0-9A-F]+\.name\}$/);
    expect(resources(all, 'google_service_account').map((a) => a.account_id).sort()).toEqual(['gcp-all-bastion', 'gcp-all-ctl', 'gcp-all-nodes', 'gcp-all-srv', 'gcp-all-tjb', 'gcp-all-trn']);
    const grants = resources(all, 'google_storage_bucket_iam_member').map((g) => [g.member.match(/identity_(vpctune-[a-z]+|trainer-job)_/)[1], g.role, g.condition.expression]).sort();
    expect(grants).toEqual([
      ['trainer-job', 'roles/storage.objectUser', prefixCondition('gcp-all-artifacts', [BucketPrefix.JOBS, BucketPrefix.ADAPTERS, BucketPrefix.MODELS])],
      ['trainer-job', 'roles/storage.objectViewer', prefixCondition('gcp-all-artifacts', [BucketPrefix.FILES])],
      ['vpctune-controller', 'roles/storage.objectUser', prefixCondition('gcp-all-artifacts', [BucketPrefix.FILES, BucketPrefix.JOBS, BucketPrefix.RESULTS, BucketPrefix.MODELS, BucketPrefix.ADAPTERS])],
      ['vpctune-server', 'roles/storage.objectViewer', prefixCondition('gcp-all-artifacts', [BucketPrefix.MODELS, BucketPrefix.ADAPTERS])],
    ]);
    expect(prefixCondition('b', [BucketPrefix.MODELS])).toBe(
      'resource.name.startsWith("projects/_/buckets/b/objects/models/") || (resource.name == "projects/_/buckets/b" && (api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("models/")))',
    );
    expect(resources(all, 'google_service_account_key')).toEqual([]);
  });

  test('GIVEN no state and no bastion WHEN synthesized THEN local state and no VM', () => {
    // GIVEN / WHEN
    const s = synthFile('stacks/examples/gcp-a100.yaml');
    // THEN
    expect(s.terraform!.backend).toEqual({ local: { path: 'terraform.tfstate' } });
    expect(resources(s, 'google_compute_instance')).toEqual([]);
    expect(only(s, 'google_container_cluster').private_cluster_config.enable_private_endpoint).toBe(true);
  });
});

describe('GCP config', () => {
  test('GIVEN cloud gcp without gcp.project, with a bad id, or gcp on AWS WHEN validated THEN the field, the value and the allowed form are named', () => {
    // GIVEN
    const base = { name: 'acme', region: 'us-central1', network: { cidr: '10.60.0.0/16' }, gpuPools: [{ name: 'a100', gpu: 'A100-40GB', gpusPerNode: 1, maxNodes: 1 }] };
    // WHEN / THEN
    const issues = (input: Record<string, unknown>) => {
      try {
        parseConfig(input, TODAY);
        return [];
      } catch (e) {
        return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
      }
    };
    const allowed = '6-30 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen';
    expect(issues({ ...base, cloud: 'gcp' })).toEqual([`gcp.project: is required when cloud is gcp: the project id to deploy into (${allowed})`]);
    expect(issues({ ...base, cloud: 'gcp', gcp: { project: 'Acme_Prod-' } })).toEqual([`gcp.project: "Acme_Prod-" is not a GCP project id; allowed: ${allowed}`]);
    expect(issues({ ...base, cloud: 'gcp', gcp: { project: 'acme-ml-prod' }, state: { bucket: 'tf-state', dynamodbTable: 'locks' } })).toEqual([
      'state.dynamodbTable: has no meaning for a GCS state bucket; remove it (cloud gcp keeps state in gs://BUCKET/KEY)',
    ]);
    expect(issues({ ...base, cloud: 'aws', region: 'us-east-1', gpuPools: [{ name: 'a', gpu: 'A10G', gpusPerNode: 1, maxNodes: 1 }], gcp: { project: 'acme-ml-prod' } })).toEqual([
      'gcp: applies only to cloud gcp; remove it for cloud aws',
    ]);
  });

  test('GIVEN A10G or L40S on GCP WHEN validated THEN refused, listing what GCP sells', () => {
    // GIVEN / WHEN / THEN
    expect(() => gcpConfig({ gpuPools: [{ name: 'l', gpu: 'L40S', gpusPerNode: 1, maxNodes: 1 }] })).toThrow(
      'gpuPools[0].gpu: gcp does not sell L40S (GCP does not offer the L40S); gcp offers: A100-40GB x1, x2, x4, x8, x16; A100-80GB x1, x2, x4, x8; H100 x1, x2, x4, x8',
    );
    expect(() => gcpConfig({ gpuPools: [{ name: 'a', gpu: 'A10G', gpusPerNode: 1, maxNodes: 1 }] })).toThrow('gpuPools[0].gpu: gcp does not sell A10G');
    expect(findSku(Cloud.GCP, Accelerator.L40S, 1)).toBeUndefined();
  });
});
