import type { DatabaseSizeRules } from '../platform/database-config';

/** Flexible server storage sizes (`storage_mb` / 1024) Azure offers, GiB. */
export const FLEXIBLE_SERVER_STORAGE_GIB: readonly number[] = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767];

/** Flexible server SKUs: tier prefix, `Standard`, then the VM size of the Burstable, General Purpose or Memory Optimized tier. */
const SKU = /^(B_Standard_B[0-9]+[a-z]*(_v[0-9]+)?|GP_Standard_D[0-9]+[a-z]*_v[0-9]+|MO_Standard_E[0-9]+[a-z]*_v[0-9]+)$/;

/** Azure Database for PostgreSQL flexible server SKUs and storage sizes. */
export const FLEXIBLE_SERVER_SIZE_RULES: DatabaseSizeRules = {
  tierKind: 'a PostgreSQL flexible server SKU',
  tier: (v) => (SKU.test(v) ? undefined : 'B_Standard_B… (Burstable, e.g. B_Standard_B2s), GP_Standard_D…_vN (General Purpose, e.g. GP_Standard_D2ds_v5) or MO_Standard_E…_vN (Memory Optimized, e.g. MO_Standard_E2ds_v5)'),
  storageGiB: (v) => (FLEXIBLE_SERVER_STORAGE_GIB.includes(v) ? undefined : FLEXIBLE_SERVER_STORAGE_GIB.join(', ')),
};
