import type { ConfigIssue } from '../config/issues';
import { show } from '../config/issues';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What one cloud accepts as `database.instanceClass` and `database.storageGiB`, in words for errors and docs. */
export interface DatabaseSizeRules {
  /** Checks a tier; undefined when allowed, else what is allowed (a phrase after "allowed: "). */
  tier(value: string): string | undefined;
  /** Checks a size in GiB; undefined when allowed, else what is allowed. */
  storageGiB(value: number): string | undefined;
  /** What the cloud calls the tier (`an RDS instance class`). */
  readonly tierKind: string;
}

/**
 * The `database` section's cloud-specific issues: nothing when the database is external (the fields then have no
 * effect), else the tier and size checked against the cloud's forms, each naming the field, the value and what is allowed.
 */
export function databaseSizeIssues(input: Obj, cloudTitle: string, rules: DatabaseSizeRules): ConfigIssue[] {
  const db = isObj(input.database) ? input.database : undefined;
  if (db === undefined || db.external === true) return [];
  const issues: ConfigIssue[] = [];
  if (typeof db.instanceClass === 'string') {
    const allowed = rules.tier(db.instanceClass);
    if (allowed !== undefined) issues.push({ path: 'database.instanceClass', value: db.instanceClass, message: `${show(db.instanceClass)} is not ${rules.tierKind} on ${cloudTitle}; allowed: ${allowed}` });
  }
  if (typeof db.storageGiB === 'number' && Number.isInteger(db.storageGiB)) {
    const allowed = rules.storageGiB(db.storageGiB);
    if (allowed !== undefined) issues.push({ path: 'database.storageGiB', value: db.storageGiB, message: `${db.storageGiB} GiB is not a storage size on ${cloudTitle}; allowed: ${allowed}` });
  }
  return issues;
}
