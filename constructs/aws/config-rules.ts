import { Cloud } from '../catalog/types';
import type { ConfigIssue } from '../config/issues';
import { databaseSizeIssues } from '../platform/database-config';
import { RDS_SIZE_RULES } from './database-size';

type Obj = Readonly<Record<string, unknown>>;

/** On AWS, the database's instanceClass and storageGiB are an RDS instance class and a gp3 size. */
export function awsConfigIssues(input: Obj, cloud: Cloud): ConfigIssue[] {
  return cloud === Cloud.AWS ? databaseSizeIssues(input, 'AWS', RDS_SIZE_RULES) : [];
}
