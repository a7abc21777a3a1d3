import { Cloud } from '../catalog/types';
import type { ConfigIssue } from '../config/issues';
import { GCP_PROJECT_ID_ALLOWED } from '../config/schema';
import { databaseSizeIssues } from '../platform/database-config';
import { CLOUD_SQL_SIZE_RULES } from './database-size';

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `gcp.project` is required on GCP and refused elsewhere; the state block holds no AWS-only fields on GCP; the database's
 * instanceClass and storageGiB are a Cloud SQL tier and SSD size.
 */
export function gcpConfigIssues(input: Obj, cloud: Cloud): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cloud !== Cloud.GCP) {
    if (input.gcp !== undefined) issues.push({ path: 'gcp', value: input.gcp, message: `applies only to cloud gcp; remove it for cloud ${cloud}` });
    return issues;
  }
  const gcp = isObj(input.gcp) ? input.gcp : undefined;
  if (gcp?.project === undefined && (input.gcp === undefined || gcp !== undefined)) {
    issues.push({ path: 'gcp.project', value: undefined, message: `is required when cloud is gcp: the project id to deploy into (${GCP_PROJECT_ID_ALLOWED})` });
  }
  const state = isObj(input.state) ? input.state : undefined;
  for (const field of ['dynamodbTable', 'region'] as const) {
    if (state?.[field] !== undefined) issues.push({ path: `state.${field}`, value: state[field], message: 'has no meaning for a GCS state bucket; remove it (cloud gcp keeps state in gs://BUCKET/KEY)' });
  }
  issues.push(...databaseSizeIssues(input, 'GCP', CLOUD_SQL_SIZE_RULES));
  return issues;
}
