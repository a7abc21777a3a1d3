/**
 * vpctune's policy rules over the AWS platform database (`aws_db_instance`): encrypted with a customer key, never
 * public, automated backups on, deletion protection on. Same engine and unknown-value stance as rules.ts: an attribute
 * that is an unresolved expression is known only at apply time and does not fire.
 */
import { isExpression, isTrue } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const q = (v: unknown): string => JSON.stringify(v);

/**
 * The tag a database carries when its config asks for a disposable platform (`storage.forceDestroy: true`): the one
 * accepted reason for no deletion protection, visible in the stack itself.
 */
export const FORCE_DESTROY_TAG = 'vpctune.dev/force-destroy';

export const RDS_ENCRYPTED: PolicyRule = {
  id: 'VPCT-AWS-011',
  title: 'RDS storage encrypted with a customer KMS key',
  rationale: 'The controller database holds every job, file record and API key hash; its storage, snapshots and replicas must be encrypted with a key the platform controls.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('aws_db_instance')) {
      const encrypted = db.attrs['storage_encrypted'];
      if (!isExpression(encrypted) && !isTrue(encrypted)) {
        findings.push({ address: db.address, message: `storage_encrypted is ${encrypted === undefined ? 'unset (defaults to false)' : q(encrypted)}, not true` });
      } else if (db.attrs['kms_key_id'] === undefined || db.attrs['kms_key_id'] === '') {
        findings.push({ address: db.address, message: 'kms_key_id is unset: storage is encrypted with the AWS managed key aws/rds; give the platform key' });
      }
    }
    return findings;
  },
};

export const RDS_NOT_PUBLIC: PolicyRule = {
  id: 'VPCT-AWS-012',
  title: 'RDS instances are not publicly accessible',
  rationale: 'A publicly accessible instance gets a public DNS name and address; the controller reaches the database inside the VPC only.',
  severity: Severity.CRITICAL,
  check(stack) {
    return stack
      .resources('aws_db_instance')
      .filter((db) => isTrue(db.attrs['publicly_accessible']))
      .map((db) => ({ address: db.address, message: 'publicly_accessible = true gives the database a public address; set it to false' }));
  },
};

export const RDS_BACKUPS: PolicyRule = {
  id: 'VPCT-AWS-013',
  title: 'RDS automated backups on',
  rationale: 'Without automated backups there is no point-in-time restore of the job history after a bad migration or a deletion.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('aws_db_instance')) {
      const days = db.attrs['backup_retention_period'];
      if (isExpression(days)) continue;
      if (days === undefined || !(Number(days) >= 1)) {
        findings.push({ address: db.address, message: `backup_retention_period is ${days === undefined ? 'unset' : q(days)}: automated backups need 1 to 35 days` });
      }
    }
    return findings;
  },
};

export const RDS_DELETION_PROTECTION: PolicyRule = {
  id: 'VPCT-AWS-014',
  title: 'RDS deletion protection on',
  rationale: 'A destroy or a replacement must not drop the controller database by accident; only a platform declared disposable may go without it.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const db of stack.resources('aws_db_instance')) {
      const protectedDb = db.attrs['deletion_protection'];
      if (isExpression(protectedDb) || isTrue(protectedDb)) continue;
      const tags = (db.attrs['tags'] ?? {}) as Record<string, unknown>;
      if (isTrue(tags[FORCE_DESTROY_TAG])) continue;
      findings.push({
        address: db.address,
        message: `deletion_protection is ${protectedDb === undefined ? 'unset (defaults to false)' : q(protectedDb)}: set it to true, or tag the instance ${FORCE_DESTROY_TAG} = "true" when the platform is disposable (storage.forceDestroy)`,
      });
    }
    return findings;
  },
};

/** The database rules, in id order. */
export const DATABASE_POLICY_RULES: readonly PolicyRule[] = [RDS_ENCRYPTED, RDS_NOT_PUBLIC, RDS_BACKUPS, RDS_DELETION_PROTECTION];
