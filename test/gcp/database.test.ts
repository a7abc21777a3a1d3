import { validateConfig } from '../../constructs/config';
import { GcpPlatform } from '../../constructs/gcp/gcp-platform';
import { evaluatePolicies, SynthesizedStack as PolicyStack } from '../../constructs/policy';
import { gcpConfig, only, resources, synthFile, synthWith, TODAY } from './helpers';

const platform = (overrides: Record<string, unknown> = {}) => synthWith((scope) => new GcpPlatform(scope, 'p', { config: gcpConfig(overrides) }));
const findings = (s: unknown): string[] => evaluatePolicies(s as PolicyStack).map((f) => `${f.ruleId} ${f.message}`);

describe('GCP Cloud SQL database', () => {
  test('GIVEN the default config WHEN synthesized THEN Cloud SQL on a private IP only, CMEK, TLS only, backups with PITR, deletion protection', () => {
    // GIVEN / WHEN
    const s = platform();
    // THEN
    const db = only(s, 'google_sql_database_instance');
    expect(db.database_version).toBe('POSTGRES_17');
    expect(db.encryption_key_name).toMatch(/^\$\{google_kms_crypto_key\.p_database-key_[0-9A-F]+\.id\}$/);
    expect(db.deletion_protection).toBe(true);
    expect(db.settings.edition).toBe('ENTERPRISE');
    expect(db.settings.tier).toBe('db-custom-1-3840');
    expect([db.settings.disk_type, db.settings.disk_size, db.settings.deletion_protection_enabled]).toEqual(['PD_SSD', 10, true]);
    expect(db.settings.ip_configuration).toEqual({
      ipv4_enabled: false,
      private_network: expect.stringMatching(/google_compute_network\.p_network_vpc_/),
      allocated_ip_range: expect.stringMatching(/google_compute_global_address\.p_private-services_range_[0-9A-F]+\.name/),
      ssl_mode: 'ENCRYPTED_ONLY',
    });
    expect(db.settings.backup_configuration).toEqual({ enabled: true, start_time: '03:00', point_in_time_recovery_enabled: true, transaction_log_retention_days: 7, backup_retention_settings: { retained_backups: 7, retention_unit: 'COUNT' } });
    expect(db.settings.user_labels).toBeUndefined();
    expect(db.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^google_service_networking_connection\.p_private-services_connection_/)]));
    const range = only(s, 'google_compute_global_address');
    expect([range.address, range.prefix_length, range.purpose, range.address_type]).toEqual(['10.60.255.0', 24, 'VPC_PEERING', 'INTERNAL']);
    expect(only(s, 'google_service_networking_connection').service).toBe('servicenetworking.googleapis.com');
    const grants = resources(s, 'google_kms_crypto_key_iam_member').filter((g) => /database-key/.test(g.crypto_key_id)).map((g) => g.member.replace(/\$\{[^}]+\}/, 'N'));
    expect(grants).toEqual(['serviceAccount:service-N@gcp-sa-cloud-sql.iam.gserviceaccount.com', 'serviceAccount:service-N@gcp-sa-secretmanager.iam.gserviceaccount.com']);
  });

  test('GIVEN the default config WHEN synthesized THEN the controller user has a Terraform-generated password kept in a CMEK Secret Manager secret as username and password', () => {
    // GIVEN / WHEN
    const s = platform();
    // THEN
    const pw = only(s, 'terraform_data');
    expect(pw.input).toEqual({ password: '${replace(uuid(), "-", "")}${replace(uuid(), "-", "")}' });
    expect(pw.lifecycle).toEqual({ ignore_changes: ['input'] });
    const user = only(s, 'google_sql_user');
    expect([user.name, user.type, user.deletion_policy]).toEqual(['vpctune', 'BUILT_IN', 'ABANDON']);
    expect(user.password).toMatch(/^\$\{terraform_data\.p_database_password_value_[0-9A-F]+\.output\["password"\]\}$/);
    expect(only(s, 'google_sql_database').name).toBe('vpctune');
    const secret = only(s, 'google_secret_manager_secret');
    expect(secret.secret_id).toBe('acme-database');
    expect(secret.replication.user_managed.replicas).toEqual([{ location: 'us-central1', customer_managed_encryption: { kms_key_name: expect.stringMatching(/p_database-key_[0-9A-F]+\.id/) } }]);
    expect(only(s, 'google_secret_manager_secret_version').secret_data).toMatch(/^\$\{jsonencode\(\{"username" = "vpctune", "password" = terraform_data\.p_database_password_value_[0-9A-F]+\.output\["password"\]\}\)\}$/);
  });

  test('GIVEN storage.forceDestroy and a tier and size WHEN synthesized THEN no deletion protection, the instance labelled disposable, the tier and size used, no findings', () => {
    // GIVEN / WHEN
    const s = platform({ storage: { forceDestroy: true }, database: { instanceClass: 'db-custom-2-7680', storageGiB: 50 } });
    // THEN
    const db = only(s, 'google_sql_database_instance');
    expect([db.deletion_protection, db.settings.deletion_protection_enabled, db.settings.user_labels]).toEqual([false, false, { vpctune_force_destroy: 'true' }]);
    expect([db.settings.tier, db.settings.disk_size]).toEqual(['db-custom-2-7680', 50]);
    expect(findings(s).filter((f) => /VPCT-GCP-01[3-7]/.test(f))).toEqual([]);
  });

  test('GIVEN database.external WHEN synthesized THEN no Cloud SQL, no private services access, no database key', () => {
    // GIVEN / WHEN
    const s = platform({ database: { external: true } });
    // THEN
    expect(resources(s, 'google_sql_database_instance')).toEqual([]);
    expect(resources(s, 'google_service_networking_connection')).toEqual([]);
    expect(resources(s, 'google_kms_crypto_key').map((k) => k.name)).not.toContain('database');
  });

  test('GIVEN bad GCP database values WHEN validated THEN each names the field, the value and what is allowed', () => {
    // GIVEN
    const base = { name: 'acme', cloud: 'gcp', region: 'us-central1', gcp: { project: 'acme-ml-prod' }, network: { cidr: '10.60.0.0/16' }, gpuPools: [{ name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2 }] };
    // WHEN
    const r = validateConfig({ ...base, database: { instanceClass: 'db.t4g.small', storageGiB: 5 } }, TODAY);
    const odd = validateConfig({ ...base, database: { instanceClass: 'db-custom-3-3840' } }, TODAY);
    // THEN
    const allowed = 'db-custom-VCPUS-MIB (1 or an even number of vCPUs up to 96, memory a multiple of 256 MiB, 0.9 to 6.5 GiB per vCPU, e.g. db-custom-1-3840), db-f1-micro or db-g1-small';
    expect(r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([`database.instanceClass: "db.t4g.small" is not a Cloud SQL tier on GCP; allowed: ${allowed}`, 'database.storageGiB: 5 GiB is not a storage size on GCP; allowed: 10 to 65536 (SSD)']);
    expect(odd.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([`database.instanceClass: "db-custom-3-3840" is not a Cloud SQL tier on GCP; allowed: ${allowed}`]);
    expect(validateConfig({ ...base, database: { external: true, instanceClass: 'anything' } }, TODAY).ok).toBe(true);
  });
});

describe('Cloud SQL policy rules', () => {
  const clean = synthFile('stacks/examples/gcp-a100.yaml');
  const broken = (change: (db: Record<string, any>) => void): string[] => {
    const s = JSON.parse(JSON.stringify(clean));
    change(Object.values(s.resource.google_sql_database_instance)[0] as Record<string, any>);
    return findings(s).filter((f) => /VPCT-GCP-01[3-7]/.test(f)).map((f) => f.replace(/google_sql_database_instance\.\S+/, 'DB'));
  };

  test('GIVEN the example WHEN checked THEN no findings', () => {
    expect(findings(clean)).toEqual([]);
  });

  test('GIVEN a broken copy for each rule WHEN checked THEN each rule fires with its exact message', () => {
    expect(broken((db) => delete db.encryption_key_name)).toEqual(['VPCT-GCP-013 encryption_key_name is unset: disks and backups use Google-managed keys; set a Cloud KMS key']);
    expect(broken((db) => delete db.settings.ip_configuration.ipv4_enabled)).toEqual(['VPCT-GCP-014 settings.ip_configuration.ipv4_enabled is unset (defaults to true): the instance gets a public IP; set it to false and give private_network']);
    expect(broken((db) => (db.settings.backup_configuration = { enabled: false }))).toEqual([
      'VPCT-GCP-015 settings.backup_configuration.enabled is false; set it to true',
      'VPCT-GCP-015 settings.backup_configuration.point_in_time_recovery_enabled is unset (defaults to false); set it to true',
    ]);
    const why = 'set it to true, or label the instance vpctune_force_destroy = "true" (settings.user_labels) when the platform is disposable (storage.forceDestroy)';
    expect(broken((db) => { db.deletion_protection = false; delete db.settings.deletion_protection_enabled; })).toEqual([`VPCT-GCP-016 deletion_protection is false: ${why}`, `VPCT-GCP-016 settings.deletion_protection_enabled is unset (defaults to false): ${why}`]);
    expect(broken((db) => (db.settings.ip_configuration.ssl_mode = 'ALLOW_UNENCRYPTED_AND_ENCRYPTED'))).toEqual(['VPCT-GCP-017 settings.ip_configuration.ssl_mode is "ALLOW_UNENCRYPTED_AND_ENCRYPTED"; allowed: ENCRYPTED_ONLY, TRUSTED_CLIENT_CERTIFICATE_REQUIRED']);
  });
});
