/** The registry of every policy rule; each cloud's rules live in their own files. */
import { AWS_HARDENING_POLICY_RULES } from './aws-hardening-rules';
import { AWS_POLICY_RULES } from './aws-rules';
import { AZURE_POLICY_RULES } from './azure-rules';
import { AZURE_POSTGRES_POLICY_RULES } from './azure-postgres-rules';
import { AZURE_TENANT_ISOLATION_POLICY_RULES } from './azure-tenant-isolation-rules';
import { CLOUD_SQL_POLICY_RULES } from './cloud-sql-rules';
import { DATABASE_POLICY_RULES } from './database-rules';
import { GCP_POLICY_RULES } from './gcp-rules';
import { GCP_TENANT_ISOLATION_POLICY_RULES } from './gcp-tenant-isolation-rules';
import { TENANT_ISOLATION_POLICY_RULES } from './tenant-isolation-rules';
import type { PolicyRule } from './types';

/** Every rule, in id order: the AWS rules (aws-rules.ts, the database's in database-rules.ts, the hardening ones in aws-hardening-rules.ts, tenant isolation in tenant-isolation-rules.ts), then the Azure rules (azure-rules.ts, the database's in azure-postgres-rules.ts, tenant isolation in azure-tenant-isolation-rules.ts), then the GCP rules (gcp-rules.ts, the database's in cloud-sql-rules.ts, tenant isolation in gcp-tenant-isolation-rules.ts). */
export const POLICY_RULES: readonly PolicyRule[] = [
  ...AWS_POLICY_RULES,
  ...DATABASE_POLICY_RULES,
  ...AWS_HARDENING_POLICY_RULES,
  ...TENANT_ISOLATION_POLICY_RULES,
  ...AZURE_POLICY_RULES,
  ...AZURE_POSTGRES_POLICY_RULES,
  ...AZURE_TENANT_ISOLATION_POLICY_RULES,
  ...GCP_POLICY_RULES,
  ...CLOUD_SQL_POLICY_RULES,
  ...GCP_TENANT_ISOLATION_POLICY_RULES,
];
