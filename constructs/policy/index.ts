/** Policy rules over synthesized Terraform JSON: ids, rationales, pure checks, and a formatter. */
export { describeRules, evaluatePolicies, formatFindings } from './evaluate';
export {
  EBS_ENCRYPTED,
  ECR_KMS,
  EKS_ENDPOINT_PRIVATE,
  EKS_SECRETS_ENCRYPTED,
  IMDSV2_REQUIRED,
  NO_WILDCARD_IAM,
  NODE_SUBNETS_PRIVATE,
  POLICY_RULES,
  S3_PUBLIC_ACCESS_BLOCKED,
  S3_SSE_KMS,
  S3_TLS_ONLY,
} from './rules';
export {
  AWS_HARDENING_POLICY_RULES,
  CNI_NOT_ON_NODE_ROLES,
  DATABASE_ENDPOINT_SERVICES,
  DEFAULT_SECURITY_GROUP_CLOSED,
  EBS_CUSTOMER_KEY,
  EKS_NO_BOOTSTRAP_ADMIN,
  GPU_NODE_ROLES_SEPARATE,
  KMS_KEY_POLICY_EXPLICIT,
  LOG_GROUPS_ENCRYPTED,
  NO_EGRESS_ENDPOINT_SERVICES,
  NO_EGRESS_ENDPOINTS,
  SSM_ENDPOINT_SERVICES,
  SSM_ENDPOINTS_FOR_INSTANCES,
  VPC_FLOW_LOGS,
} from './aws-hardening-rules';
export { DATABASE_POLICY_RULES, FORCE_DESTROY_TAG, RDS_BACKUPS, RDS_DELETION_PROTECTION, RDS_ENCRYPTED, RDS_NOT_PUBLIC } from './database-rules';
export {
  AKS_ENTRA_ONLY,
  AKS_KMS,
  AKS_PRIVATE_CLUSTER,
  AZURE_POLICY_RULES,
  FEDERATION_ONE_SERVICE_ACCOUNT,
  REGISTRY_PRIVATE,
  STORAGE_CMK,
  STORAGE_NOT_PUBLIC,
  WORKLOAD_IDENTITY_NOT_ADMIN,
} from './azure-rules';
export {
  GCP_POLICY_RULES,
  GCS_CMEK,
  GCS_NOT_PUBLIC,
  GKE_PRIVATE,
  GKE_SECRETS_CMEK,
  NO_DEFAULT_NODE_SERVICE_ACCOUNT,
  NO_PRIMITIVE_ROLES,
  NO_SERVICE_ACCOUNT_KEYS,
  REGISTRY_CMEK,
  SHIELDED_NODES,
} from './gcp-rules';
export { StackModel } from './stack-model';
export type { Block, PolicyDocument, Statement } from './stack-model';
export { Severity } from './types';
export type { Finding, PolicyOptions, PolicyRule, RuleFinding, SynthesizedStack } from './types';
