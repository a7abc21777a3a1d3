import * as path from 'node:path';
import { loadConfigFile, validateConfig } from '../../constructs/config';
import { evaluatePolicies, SynthesizedStack as PolicyStack } from '../../constructs/policy';
import { azureConfig, only, resources, synthConfig, TODAY } from './helpers';

const findings = (s: unknown): string[] => evaluatePolicies(s as PolicyStack).map((f) => `${f.ruleId} ${f.message}`);

describe('Azure PostgreSQL flexible server', () => {
  const s = synthConfig(azureConfig());

  test('GIVEN the default config WHEN synthesized THEN a private flexible server: delegated subnet, linked private DNS zone, public access off, Key Vault CMK, 7-day backups', () => {
    // THEN
    const db = only(s, 'azurerm_postgresql_flexible_server');
    expect([db.name, db.version, db.sku_name, db.storage_mb, db.public_network_access_enabled, db.backup_retention_days, db.geo_redundant_backup_enabled]).toEqual(['az-test-controller', '16', 'B_Standard_B2s', 32768, false, 7, false]);
    expect(db.delegated_subnet_id).toMatch(/azurerm_subnet\.platform_database-network_subnet_[0-9A-F]+\.id/);
    expect(db.private_dns_zone_id).toMatch(/azurerm_private_dns_zone\.platform_database-network_dns_[0-9A-F]+\.id/);
    expect(db.authentication).toEqual({ password_auth_enabled: true, active_directory_auth_enabled: false });
    expect(db.identity.type).toBe('UserAssigned');
    expect(db.customer_managed_key.key_vault_key_id).toMatch(/azurerm_key_vault_key\.platform_key-vault_database-cmk_[0-9A-F]+\.id/);
    expect(db.customer_managed_key.primary_user_assigned_identity_id).toMatch(/azurerm_user_assigned_identity\.platform_database_cmk-identity_[0-9A-F]+\.id/);
    const subnet = resources(s, 'azurerm_subnet').find((n) => n.name === 'database')!;
    expect(subnet.address_prefixes).toEqual(['10.60.192.0/20']);
    expect(subnet.delegation).toEqual([{ name: 'postgres', service_delegation: { name: 'Microsoft.DBforPostgreSQL/flexibleServers', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] } }]);
    expect(resources(s, 'azurerm_private_dns_zone').map((z) => z.name)).toContain('az-test.private.postgres.database.azure.com');
    expect(resources(s, 'azurerm_role_assignment').filter((r) => /database/.test(JSON.stringify(r))).map((r) => r.role_definition_name).sort()).toEqual(['Key Vault Crypto Service Encryption User', 'Key Vault Secrets Officer']);
  });

  test('GIVEN the default config WHEN synthesized THEN TLS 1.2 required, the vpctune database, the generated password in a Key Vault secret, outputs for the in-cluster stack', () => {
    // THEN
    expect(resources(s, 'azurerm_postgresql_flexible_server_configuration').map((c) => [c.name, c.value])).toEqual([['require_secure_transport', 'on'], ['ssl_min_protocol_version', 'TLSv1.2']]);
    expect(only(s, 'azurerm_postgresql_flexible_server_database').name).toBe('vpctune');
    const secret = only(s, 'azurerm_key_vault_secret');
    expect([secret.name, secret.content_type]).toEqual(['az-test-database', 'application/json']);
    expect(secret.value).toMatch(/^\$\{jsonencode\(\{"username" = "vpctune", "password" = terraform_data\.platform_database_password_value_[0-9A-F]+\.output\["password"\]\}\)\}$/);
    expect(only(s, 'azurerm_postgresql_flexible_server').administrator_password).toMatch(/^\$\{terraform_data\.platform_database_password_value_[0-9A-F]+\.output\["password"\]\}$/);
    expect(Object.keys(s.output).filter((o) => o.startsWith('database_')).sort()).toEqual(['database_endpoint', 'database_secret_id', 'database_secret_key_vault_id', 'database_secret_name']);
    expect(s.output.database_endpoint.value).toMatch(/^\$\{azurerm_postgresql_flexible_server\.platform_database_server_[0-9A-F]+\.fqdn\}:5432$/);
  });

  test('GIVEN database.external WHEN synthesized THEN no server, no database subnet, no database outputs', () => {
    // GIVEN / WHEN
    const ext = synthConfig(azureConfig({ database: { external: true } }));
    // THEN
    expect(resources(ext, 'azurerm_postgresql_flexible_server')).toEqual([]);
    expect(resources(ext, 'azurerm_subnet').map((n) => n.name)).not.toContain('database');
    expect(Object.keys(ext.output).filter((o) => o.startsWith('database_'))).toEqual([]);
  });

  test('GIVEN bad Azure database values WHEN validated THEN each names the field, the value and what is allowed', () => {
    // GIVEN
    const base = { name: 'az-test', cloud: 'azure', region: 'eastus', network: { cidr: '10.60.0.0/16' }, gpuPools: [{ name: 'a100', gpu: 'A100-80GB', gpusPerNode: 1, maxNodes: 2 }] };
    // WHEN
    const r = validateConfig({ ...base, database: { instanceClass: 'db-custom-1-3840', storageGiB: 100 } }, TODAY);
    // THEN
    expect(r.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'database.instanceClass: "db-custom-1-3840" is not a PostgreSQL flexible server SKU on Azure; allowed: B_Standard_B… (Burstable, e.g. B_Standard_B2s), GP_Standard_D…_vN (General Purpose, e.g. GP_Standard_D2ds_v5) or MO_Standard_E…_vN (Memory Optimized, e.g. MO_Standard_E2ds_v5)',
      'database.storageGiB: 100 GiB is not a storage size on Azure; allowed: 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767',
    ]);
    expect(validateConfig({ ...base, database: { instanceClass: 'GP_Standard_D4ds_v5', storageGiB: 128 } }, TODAY).ok).toBe(true);
  });
});

describe('Azure PostgreSQL policy rules', () => {
  const clean = synthConfig(loadConfigFile(path.join(__dirname, '..', '..', 'stacks', 'examples', 'azure-a100.yaml'), TODAY));
  const broken = (type: string, change: (b: Record<string, any>) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(clean));
    change(Object.values(copy.resource[type])[0] as Record<string, any>);
    return findings(copy).filter((f) => /VPCT-AZ-01[1-4]/.test(f)).map((f) => f.replace(/azurerm_\S+/, 'X'));
  };

  test('GIVEN the example WHEN checked THEN no database findings', () => {
    expect(findings(clean).filter((f) => /VPCT-AZ-01[1-4]/.test(f))).toEqual([]);
  });

  test('GIVEN a broken copy for each rule WHEN checked THEN each rule fires with its exact message', () => {
    const server = 'azurerm_postgresql_flexible_server';
    expect(broken(server, (db) => delete db.customer_managed_key)).toEqual(['VPCT-AZ-011 customer_managed_key.key_vault_key_id is unset: data is encrypted with Microsoft-managed keys; give a Key Vault key and a user-assigned identity']);
    expect(broken(server, (db) => delete db.public_network_access_enabled)).toEqual(['VPCT-AZ-012 public_network_access_enabled is unset (defaults to true); set it to false and give delegated_subnet_id and private_dns_zone_id']);
    expect(broken(server, (db) => (db.backup_retention_days = 3))).toEqual(['VPCT-AZ-013 backup_retention_days is 3; allowed: 7 to 35']);
    expect(broken('azurerm_postgresql_flexible_server_configuration', (p) => (p.value = 'off'))).toEqual(['VPCT-AZ-014 require_secure_transport = "off" lets clients connect without TLS; set it to "on"']);
  });
});
