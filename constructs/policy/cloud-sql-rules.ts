/**
 * vpctune's policy rules over the GCP platform database (`google_sql_database_instance`): a Cloud KMS key, no public
 * IP, backups with point-in-time recovery, deletion protection, TLS required. Same engine and unknown-value stance as
 * rules.ts: an attribute that is an unresolved expression is known only at apply time and does not fire.
 */
import { blocks, isExpression, isTrue } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const q = (v: unknown): string => JSON.stringify(v);
const first = (v: unknown): Record<string, unknown> => blocks(v)[0] ?? {};
const notTrue = (v: unknown): boolean => !isExpression(v) && !isTrue(v);
const isFalse = (v: unknown): boolean => v === false || v === 'false';

/**
 * The user label a Cloud SQL instance carries when its config asks for a disposable platform (`storage.forceDestroy:
 * true`): the one accepted reason for no deletion protection (GCP label keys allow no dots or slashes).
 */
export const GCP_FORCE_DESTROY_LABEL = 'vpctune_force_destroy';

/** The `ssl_mode` values that refuse unencrypted connections. */
export const CLOUD_SQL_TLS_MODES: readonly string[] = ['ENCRYPTED_ONLY', 'TRUSTED_CLIENT_CERTIFICATE_REQUIRED'];

export const CLOUD_SQL_CMEK: PolicyRule = {
  id: 'VPCT-GCP-013',
  title: 'Cloud SQL encrypted with a Cloud KMS key',
  rationale: 'The controller database holds every job, file record and API key hash; its disks and backups must be encrypted with a key the platform controls.',
  severity: Severity.HIGH,
  check(stack) {
    return stack
      .resources('google_sql_database_instance')
      .filter((db) => db.attrs['encryption_key_name'] === undefined || db.attrs['encryption_key_name'] === '')
      .map((db) => ({ address: db.address, message: 'encryption_key_name is unset: disks and backups use Google-managed keys; set a Cloud KMS key' }));
  },
};

export const CLOUD_SQL_NO_PUBLIC_IP: PolicyRule = {
  id: 'VPCT-GCP-014',
  title: 'Cloud SQL has no public IP',
  rationale: 'A public IPv4 address puts the database on the internet behind authorized networks only; the controller reaches it on a private IP inside the VPC.',
  severity: Severity.CRITICAL,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('google_sql_database_instance')) {
      const ip = first(first(db.attrs['settings'])['ip_configuration']);
      const v4 = ip['ipv4_enabled'];
      if (isExpression(v4) || isFalse(v4)) continue;
      findings.push({ address: db.address, message: `settings.ip_configuration.ipv4_enabled is ${v4 === undefined ? 'unset (defaults to true)' : q(v4)}: the instance gets a public IP; set it to false and give private_network` });
    }
    return findings;
  },
};

export const CLOUD_SQL_BACKUPS: PolicyRule = {
  id: 'VPCT-GCP-015',
  title: 'Cloud SQL automated backups and point-in-time recovery on',
  rationale: 'Without backups and the write-ahead log there is no restore of the job history after a bad migration or a deletion.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('google_sql_database_instance')) {
      const backup = first(first(db.attrs['settings'])['backup_configuration']);
      for (const attr of ['enabled', 'point_in_time_recovery_enabled'] as const) {
        const v = backup[attr];
        if (notTrue(v)) findings.push({ address: db.address, message: `settings.backup_configuration.${attr} is ${v === undefined ? 'unset (defaults to false)' : q(v)}; set it to true` });
      }
    }
    return findings;
  },
};

export const CLOUD_SQL_DELETION_PROTECTION: PolicyRule = {
  id: 'VPCT-GCP-016',
  title: 'Cloud SQL deletion protection on',
  rationale: 'A destroy, a replacement or a console click must not drop the controller database by accident; only a platform declared disposable may go without it.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('google_sql_database_instance')) {
      const settings = first(db.attrs['settings']);
      const labels = (settings['user_labels'] ?? {}) as Record<string, unknown>;
      if (isTrue(labels[GCP_FORCE_DESTROY_LABEL])) continue;
      const why = `set it to true, or label the instance ${GCP_FORCE_DESTROY_LABEL} = "true" (settings.user_labels) when the platform is disposable (storage.forceDestroy)`;
      // Terraform's own guard defaults to true; the Cloud SQL API's defaults to false.
      if (isFalse(db.attrs['deletion_protection'])) findings.push({ address: db.address, message: `deletion_protection is false: ${why}` });
      const api = settings['deletion_protection_enabled'];
      if (notTrue(api)) findings.push({ address: db.address, message: `settings.deletion_protection_enabled is ${api === undefined ? 'unset (defaults to false)' : q(api)}: ${why}` });
    }
    return findings;
  },
};

export const CLOUD_SQL_TLS: PolicyRule = {
  id: 'VPCT-GCP-017',
  title: 'Cloud SQL requires TLS',
  rationale: 'Database passwords and job data cross the VPC; the server must refuse unencrypted connections.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('google_sql_database_instance')) {
      const mode = first(first(db.attrs['settings'])['ip_configuration'])['ssl_mode'];
      if (isExpression(mode) || CLOUD_SQL_TLS_MODES.includes(String(mode))) continue;
      findings.push({ address: db.address, message: `settings.ip_configuration.ssl_mode is ${mode === undefined ? 'unset (unencrypted connections allowed)' : q(mode)}; allowed: ${CLOUD_SQL_TLS_MODES.join(', ')}` });
    }
    return findings;
  },
};

/** The Cloud SQL rules, in id order. */
export const CLOUD_SQL_POLICY_RULES: readonly PolicyRule[] = [CLOUD_SQL_CMEK, CLOUD_SQL_NO_PUBLIC_IP, CLOUD_SQL_BACKUPS, CLOUD_SQL_DELETION_PROTECTION, CLOUD_SQL_TLS];
