import type { DatabaseSizeRules } from '../platform/database-config';

/** RDS instance classes (`db.FAMILY.SIZE`) and gp3 storage (20 to 65536 GiB). */
export const RDS_SIZE_RULES: DatabaseSizeRules = {
  tierKind: 'an RDS instance class',
  tier: (v) => (/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(v) ? undefined : 'db.FAMILY.SIZE, e.g. db.t4g.small'),
  storageGiB: (v) => (v >= 20 && v <= 65536 ? undefined : '20 to 65536 (gp3)'),
};
