import type { DatabaseSizeRules } from '../platform/database-config';

/** Cloud SQL Enterprise edition tiers the database accepts: custom machines and the two shared-core tiers. */
const SHARED_CORE_TIERS: readonly string[] = ['db-f1-micro', 'db-g1-small'];
const TIER_ALLOWED = 'db-custom-VCPUS-MIB (1 or an even number of vCPUs up to 96, memory a multiple of 256 MiB, 0.9 to 6.5 GiB per vCPU, e.g. db-custom-1-3840), db-f1-micro or db-g1-small';

/** Why a Cloud SQL tier is refused, or undefined when it is a valid Enterprise edition tier. */
export function cloudSqlTierProblem(tier: string): string | undefined {
  if (SHARED_CORE_TIERS.includes(tier)) return undefined;
  const m = /^db-custom-(\d+)-(\d+)$/.exec(tier);
  if (m === null) return TIER_ALLOWED;
  const cpus = Number(m[1]);
  const mib = Number(m[2]);
  const cpusOk = cpus === 1 || (cpus % 2 === 0 && cpus >= 2 && cpus <= 96);
  const memOk = mib % 256 === 0 && mib >= 0.9 * 1024 * cpus && mib <= 6.5 * 1024 * cpus;
  return cpusOk && memOk ? undefined : TIER_ALLOWED;
}

/** Cloud SQL Enterprise edition tiers and SSD sizes (10 to 65536 GiB). */
export const CLOUD_SQL_SIZE_RULES: DatabaseSizeRules = {
  tierKind: 'a Cloud SQL tier',
  tier: cloudSqlTierProblem,
  storageGiB: (v) => (v >= 10 && v <= 65536 ? undefined : '10 to 65536 (SSD)'),
};
