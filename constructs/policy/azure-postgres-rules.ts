/**
 * vpctune's policy rules over the Azure platform database (`azurerm_postgresql_flexible_server`): a Key Vault key, no
 * public network access, backups kept at least a week, TLS required. Same engine and unknown-value stance as rules.ts.
 */
import { blocks, isExpression, isTrue } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const q = (v: unknown): string => JSON.stringify(v);
const SERVER = 'azurerm_postgresql_flexible_server';
/** The least backup retention the platform keeps (also Azure's minimum). */
export const MIN_BACKUP_RETENTION_DAYS = 7;

export const POSTGRES_CMK: PolicyRule = {
  id: 'VPCT-AZ-011',
  title: 'PostgreSQL flexible server encrypted with a Key Vault key',
  rationale: 'The controller database holds every job, file record and API key hash; its data and backups must be encrypted with a key the platform controls.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources(SERVER)) {
      const key = (blocks(db.attrs['customer_managed_key'])[0] ?? {})['key_vault_key_id'];
      if (key === undefined || key === '') findings.push({ address: db.address, message: 'customer_managed_key.key_vault_key_id is unset: data is encrypted with Microsoft-managed keys; give a Key Vault key and a user-assigned identity' });
    }
    return findings;
  },
};

export const POSTGRES_NOT_PUBLIC: PolicyRule = {
  id: 'VPCT-AZ-012',
  title: 'PostgreSQL flexible server has no public network access',
  rationale: 'A public server is reachable from the internet behind firewall rules only; the controller reaches it through the delegated subnet.',
  severity: Severity.CRITICAL,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources(SERVER)) {
      const pub = db.attrs['public_network_access_enabled'];
      if (isExpression(pub) || pub === false || pub === 'false') continue;
      findings.push({ address: db.address, message: `public_network_access_enabled is ${pub === undefined ? 'unset (defaults to true)' : q(pub)}; set it to false and give delegated_subnet_id and private_dns_zone_id` });
    }
    for (const rule of stack.resources('azurerm_postgresql_flexible_server_firewall_rule')) {
      findings.push({ address: rule.address, message: `firewall rule ${q(rule.attrs['start_ip_address'])}-${q(rule.attrs['end_ip_address'])} admits addresses from outside the VNet; remove it` });
    }
    return findings;
  },
};

export const POSTGRES_BACKUPS: PolicyRule = {
  id: 'VPCT-AZ-013',
  title: 'PostgreSQL flexible server backups kept at least a week',
  rationale: 'Point-in-time restore of the job history after a bad migration or a deletion reaches back only as far as the backups are kept.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources(SERVER)) {
      const days = db.attrs['backup_retention_days'];
      if (days === undefined || isExpression(days) || Number(days) >= MIN_BACKUP_RETENTION_DAYS) continue;
      findings.push({ address: db.address, message: `backup_retention_days is ${q(days)}; allowed: ${MIN_BACKUP_RETENTION_DAYS} to 35` });
    }
    return findings;
  },
};

export const POSTGRES_TLS: PolicyRule = {
  id: 'VPCT-AZ-014',
  title: 'PostgreSQL flexible server requires TLS',
  rationale: 'Database passwords and job data cross the VNet; the server must refuse unencrypted connections (require_secure_transport, on by default, must not be turned off).',
  severity: Severity.HIGH,
  check(stack) {
    return stack
      .resources('azurerm_postgresql_flexible_server_configuration')
      .filter((p) => p.attrs['name'] === 'require_secure_transport' && !isExpression(p.attrs['value']) && !isTrue(p.attrs['value']) && String(p.attrs['value']).toLowerCase() !== 'on')
      .map((p) => ({ address: p.address, message: `require_secure_transport = ${q(p.attrs['value'])} lets clients connect without TLS; set it to "on"` }));
  },
};

/** The Azure database rules, in id order. */
export const AZURE_POSTGRES_POLICY_RULES: readonly PolicyRule[] = [POSTGRES_CMK, POSTGRES_NOT_PUBLIC, POSTGRES_BACKUPS, POSTGRES_TLS];
