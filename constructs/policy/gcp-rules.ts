/**
 * vpctune's policy rules over a synthesized GCP (google provider) stack: the GKE, Cloud Storage, Artifact Registry and
 * IAM settings the GCP platform promises. Same engine and unknown-value stance as the AWS rules (rules.ts): an
 * attribute that is an unresolved expression is known only at apply time and does not fire a rule.
 */
import { Block, blocks, isExpression, isTrue } from './stack-model';
import { PolicyRule, RuleFinding, Severity } from './types';

const q = (v: unknown): string => JSON.stringify(v);
const stated = (attr: string, v: unknown, unsetMeans: string): string => (v === undefined ? `${attr} is unset (${unsetMeans})` : `${attr} = ${q(v)}`);
/** True when `v` is visibly not `true` (unset or a literal other than true). */
const notTrue = (v: unknown): boolean => !isExpression(v) && !isTrue(v);
/** Visibly missing: unset or an empty string (an expression counts as present). */
const missing = (v: unknown): boolean => v === undefined || v === null || v === '';
const first = (v: unknown): Record<string, unknown> => blocks(v)[0] ?? {};
const OPEN_CIDRS = ['0.0.0.0/0', '::/0'];

/** Every IAM grant type of the google provider: `*_iam_member`, `*_iam_binding` and `*_iam_policy`. */
function iamGrants(stack: Parameters<PolicyRule['check']>[0]): Block[] {
  const types = new Set([...Object.keys(stack.json.resource ?? {})].filter((t) => t.startsWith('google_') && /_iam_(member|binding|policy)$/.test(t)));
  return [...types].flatMap((t) => stack.resources(t));
}

export const GKE_PRIVATE: PolicyRule = {
  id: 'VPCT-GCP-001',
  title: 'GKE private nodes, private endpoint unless the config allows a public one',
  rationale: 'Nodes with public IPs are reachable from the internet; a public control plane invites credential stuffing and API exploits unless limited to known CIDRs.',
  severity: Severity.HIGH,
  check(stack, options) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('google_container_cluster')) {
      const pcc = first(c.attrs['private_cluster_config']);
      const nodes = pcc['enable_private_nodes'];
      if (notTrue(nodes)) findings.push({ address: c.address, message: `private_cluster_config.${stated('enable_private_nodes', nodes, 'nodes get public IPs')}; set it to true` });
      const endpoint = pcc['enable_private_endpoint'];
      if (!options.allowPublicEndpoint && notTrue(endpoint)) {
        findings.push({ address: c.address, message: `private_cluster_config.${stated('enable_private_endpoint', endpoint, 'the endpoint is public')}: the API endpoint is public but the platform config does not allow it (kubernetes.publicEndpoint: false)` });
      }
      if (!isTrue(endpoint)) {
        const man = first(c.attrs['master_authorized_networks_config']);
        const cidrs = blocks(man['cidr_blocks']).map((b) => b['cidr_block']);
        if (c.attrs['master_authorized_networks_config'] === undefined) {
          findings.push({ address: c.address, message: 'master_authorized_networks_config is unset: a public endpoint accepts every address; list the allowed CIDRs' });
        }
        for (const open of cidrs.filter((x) => typeof x === 'string' && OPEN_CIDRS.includes(x))) findings.push({ address: c.address, message: `master_authorized_networks_config allows ${open}: the public endpoint is open to the internet` });
        if (isTrue(man['gcp_public_cidrs_access_enabled'])) findings.push({ address: c.address, message: 'master_authorized_networks_config.gcp_public_cidrs_access_enabled = true lets any Google Cloud IP reach the endpoint' });
      }
    }
    for (const p of stack.resources('google_container_node_pool')) {
      const v = first(p.attrs['network_config'])['enable_private_nodes'];
      if (v === false || v === 'false') findings.push({ address: p.address, message: 'network_config.enable_private_nodes = false gives this pool\'s nodes public IPs' });
    }
    return findings;
  },
};

export const GKE_SECRETS_CMEK: PolicyRule = {
  id: 'VPCT-GCP-002',
  title: 'GKE Secrets encrypted with a Cloud KMS key',
  rationale: 'Application-layer secrets encryption keeps Secrets in etcd under a key the platform controls, rotates and can revoke.',
  severity: Severity.HIGH,
  check(stack) {
    return stack.resources('google_container_cluster').flatMap((c) => {
      const de = first(c.attrs['database_encryption']);
      if (isExpression(de['state']) || (de['state'] === 'ENCRYPTED' && !missing(de['key_name']))) return [];
      return [{ address: c.address, message: `database_encryption.${stated('state', de['state'], 'Secrets are stored with Google-managed keys only')}${missing(de['key_name']) ? ' without key_name' : ''}; set state = "ENCRYPTED" with a Cloud KMS key` }];
    });
  },
};

export const GCS_CMEK: PolicyRule = {
  id: 'VPCT-GCP-003',
  title: 'Cloud Storage buckets encrypted with a Cloud KMS key',
  rationale: 'Customer-managed keys put training data, checkpoints and weights under a key the platform controls and can revoke.',
  severity: Severity.MEDIUM,
  check(stack) {
    return stack.resources('google_storage_bucket').flatMap((b) => {
      const key = first(b.attrs['encryption'])['default_kms_key_name'];
      return missing(key) ? [{ address: b.address, message: 'encryption.default_kms_key_name is unset: objects use Google-managed keys; set a Cloud KMS key' }] : [];
    });
  },
};

export const REGISTRY_CMEK: PolicyRule = {
  id: 'VPCT-GCP-004',
  title: 'Artifact Registry repositories encrypted with a Cloud KMS key',
  rationale: 'Platform images are encrypted under a key the platform controls, like its data.',
  severity: Severity.MEDIUM,
  check(stack) {
    return stack.resources('google_artifact_registry_repository').flatMap((r) =>
      missing(r.attrs['kms_key_name']) ? [{ address: r.address, message: 'kms_key_name is unset: images use Google-managed keys; set a Cloud KMS key' }] : [],
    );
  },
};

export const GCS_NOT_PUBLIC: PolicyRule = {
  id: 'VPCT-GCP-005',
  title: 'Cloud Storage public access prevented',
  rationale: 'Public access prevention and uniform bucket-level access stop ACLs or IAM grants from ever exposing platform data to the internet.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const b of stack.resources('google_storage_bucket')) {
      const pap = b.attrs['public_access_prevention'];
      if (!isExpression(pap) && pap !== 'enforced') findings.push({ address: b.address, message: `${stated('public_access_prevention', pap, 'inherited: the bucket can be made public')}; set it to "enforced"` });
      const ubla = b.attrs['uniform_bucket_level_access'];
      if (notTrue(ubla)) findings.push({ address: b.address, message: `${stated('uniform_bucket_level_access', ubla, 'object ACLs apply')}; set it to true` });
    }
    for (const g of iamGrants(stack)) {
      const members = [g.attrs['member'], ...(Array.isArray(g.attrs['members']) ? g.attrs['members'] : [])];
      for (const m of members.filter((x) => x === 'allUsers' || x === 'allAuthenticatedUsers')) findings.push({ address: g.address, message: `grants ${q(g.attrs['role'])} to ${m}: the resource becomes public` });
    }
    return findings;
  },
};

/** Basic roles: project-wide powers over almost every service. */
const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];

export const NO_PRIMITIVE_ROLES: PolicyRule = {
  id: 'VPCT-GCP-006',
  title: 'No basic (primitive) IAM roles',
  rationale: 'Owner, Editor and Viewer span nearly every service in the project; each identity gets only the predefined roles its job needs.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const g of iamGrants(stack)) {
      const role = g.attrs['role'];
      if (typeof role === 'string' && PRIMITIVE_ROLES.includes(role)) findings.push({ address: g.address, message: `role = ${q(role)} is a basic role; grant predefined roles scoped to the job` });
      const policy = g.attrs['policy_data'];
      if (typeof policy === 'string') {
        for (const r of PRIMITIVE_ROLES.filter((x) => policy.includes(`"${x}"`))) findings.push({ address: g.address, message: `policy_data binds ${q(r)}, a basic role; grant predefined roles scoped to the job` });
      }
    }
    return findings;
  },
};

export const NO_SERVICE_ACCOUNT_KEYS: PolicyRule = {
  id: 'VPCT-GCP-007',
  title: 'No service account keys',
  rationale: 'A key is a long-lived credential that leaks through state, logs and laptops; workloads use Workload Identity and nodes their attached account.',
  severity: Severity.HIGH,
  check(stack) {
    return stack.resources('google_service_account_key').map((k) => ({ address: k.address, message: 'creates a service account key (a long-lived credential, also written to Terraform state); use Workload Identity instead' }));
  },
};

/** The node configs of a cluster (its default pool) and of each node pool. */
function nodeConfigs(stack: Parameters<PolicyRule['check']>[0]): Array<[Block, Record<string, unknown> | undefined]> {
  return [
    ...stack.resources('google_container_cluster').map((c) => [c, blocks(c.attrs['node_config'])[0]] as [Block, Record<string, unknown> | undefined]),
    ...stack.resources('google_container_node_pool').map((p) => [p, blocks(p.attrs['node_config'])[0]] as [Block, Record<string, unknown> | undefined]),
  ];
}

export const SHIELDED_NODES: PolicyRule = {
  id: 'VPCT-GCP-008',
  title: 'Shielded GKE nodes with secure boot',
  rationale: 'Shielded nodes prove node identity to the control plane, and secure boot refuses unsigned boot components and kernel modules.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const c of stack.resources('google_container_cluster')) {
      const v = c.attrs['enable_shielded_nodes'];
      if (v === false || v === 'false') findings.push({ address: c.address, message: 'enable_shielded_nodes = false: nodes cannot prove their identity; set it to true' });
    }
    for (const [b, nc] of nodeConfigs(stack)) {
      if (nc === undefined) continue;
      const sb = first(nc['shielded_instance_config'])['enable_secure_boot'];
      if (notTrue(sb)) findings.push({ address: b.address, message: `node_config.shielded_instance_config.${stated('enable_secure_boot', sb, 'defaults to false')}; set it to true` });
    }
    return findings;
  },
};

const DEFAULT_COMPUTE_SA = /-compute@developer\.gserviceaccount\.com$/;

export const NO_DEFAULT_NODE_SERVICE_ACCOUNT: PolicyRule = {
  id: 'VPCT-GCP-009',
  title: 'No node pool runs as the Compute Engine default service account',
  rationale: 'The default compute service account holds Editor on the project; a node (and any pod that reaches its metadata) would too.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const [b, nc] of nodeConfigs(stack)) {
      const sa = nc?.['service_account'];
      if (isExpression(sa)) continue;
      if (sa === undefined || sa === 'default' || (typeof sa === 'string' && DEFAULT_COMPUTE_SA.test(sa))) {
        const where = b.type === 'google_container_cluster' ? 'node_config (the default pool GKE creates first)' : 'node_config';
        findings.push({ address: b.address, message: `${where}.${stated('service_account', sa, 'the Compute Engine default service account')} runs nodes with Editor on the project; set a node service account with minimal roles` });
      }
    }
    return findings;
  },
};

export const SUBNET_FLOW_LOGS: PolicyRule = {
  id: 'VPCT-GCP-010',
  title: 'VPC flow logs on every subnet',
  rationale: 'Flow logs record which addresses nodes and pods talked to; without them an exfiltration or a lateral move leaves no network trace.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const s of stack.resources('google_compute_subnetwork')) {
      const purpose = s.attrs['purpose'];
      // Proxy-only and Private Service Connect subnets carry no VM traffic and take no log_config.
      if (purpose !== undefined && purpose !== 'PRIVATE') continue;
      const lc = blocks(s.attrs['log_config'])[0];
      if (lc === undefined) {
        findings.push({ address: s.address, message: 'log_config is unset: VPC flow logs are off for this subnet; set log_config (aggregation_interval, flow_sampling, metadata)' });
        continue;
      }
      const sampling = lc['flow_sampling'];
      if (sampling === 0 || sampling === '0') findings.push({ address: s.address, message: 'log_config.flow_sampling = 0 records no flows; sample a share above 0 (the platform uses 0.5)' });
    }
    return findings;
  },
};

/** Project roles a GKE node service account may hold (Google's least-privilege node service account). */
export const NODE_ACCOUNT_PROJECT_ROLES: readonly string[] = [
  'roles/container.defaultNodeServiceAccount',
  'roles/logging.logWriter',
  'roles/monitoring.metricWriter',
  'roles/monitoring.viewer',
  'roles/stackdriver.resourceMetadata.writer',
  'roles/autoscaling.metricsWriter',
];

export const NODE_SERVICE_ACCOUNT_LEAST_PRIVILEGE: PolicyRule = {
  id: 'VPCT-GCP-011',
  title: 'Node service accounts hold only the node roles and serve no pod',
  rationale: 'Every pod that reaches a node can act as its service account; it gets logs, metrics and image pulls only, and no workload identity runs as it.',
  severity: Severity.HIGH,
  check(stack) {
    const findings: RuleFinding[] = [];
    const nodeAccounts = new Set<Block>();
    for (const [, nc] of nodeConfigs(stack)) for (const a of stack.referencesOfType(nc?.['service_account'], 'google_service_account')) nodeAccounts.add(a);
    for (const account of nodeAccounts) {
      for (const g of stack.resources('google_project_iam_member').filter((m) => stack.referencesOfType(m.attrs['member'], 'google_service_account').includes(account))) {
        const role = g.attrs['role'];
        if (typeof role === 'string' && !isExpression(role) && !NODE_ACCOUNT_PROJECT_ROLES.includes(role)) {
          findings.push({ address: g.address, message: `grants ${q(role)} on the project to node service account ${account.address}; nodes may hold only ${NODE_ACCOUNT_PROJECT_ROLES.join(', ')}` });
        }
      }
      for (const b of stack.attachedTo('google_service_account_iam_member', 'service_account_id', account).filter((m) => m.attrs['role'] === 'roles/iam.workloadIdentityUser')) {
        findings.push({ address: b.address, message: `lets Kubernetes service account ${q(b.attrs['member'])} act as node service account ${account.address}; give the workload its own Google service account` });
      }
    }
    return findings;
  },
};

export const BOOT_DISK_CMEK: PolicyRule = {
  id: 'VPCT-GCP-012',
  title: 'Node and VM boot disks encrypted with a Cloud KMS key',
  rationale: 'Boot disks hold container images, pulled weights and scratch data; a customer-managed key puts them under a key the platform controls and can revoke.',
  severity: Severity.MEDIUM,
  check(stack) {
    const findings: RuleFinding[] = [];
    for (const [b, nc] of nodeConfigs(stack)) {
      const key = nc?.['boot_disk_kms_key'];
      if (!missing(key)) continue;
      const where = b.type === 'google_container_cluster' ? 'node_config (the default pool GKE creates first)' : 'node_config';
      findings.push({ address: b.address, message: `${where}.boot_disk_kms_key is unset: boot disks use Google-managed keys; set a Cloud KMS key` });
    }
    for (const vm of stack.resources('google_compute_instance')) {
      if (missing(first(vm.attrs['boot_disk'])['kms_key_self_link'])) findings.push({ address: vm.address, message: 'boot_disk.kms_key_self_link is unset: the boot disk uses Google-managed keys; set a Cloud KMS key' });
    }
    return findings;
  },
};

/** Every GCP rule, in id order. */
export const GCP_POLICY_RULES: readonly PolicyRule[] = [
  GKE_PRIVATE,
  GKE_SECRETS_CMEK,
  GCS_CMEK,
  REGISTRY_CMEK,
  GCS_NOT_PUBLIC,
  NO_PRIMITIVE_ROLES,
  NO_SERVICE_ACCOUNT_KEYS,
  SHIELDED_NODES,
  NO_DEFAULT_NODE_SERVICE_ACCOUNT,
  SUBNET_FLOW_LOGS,
  NODE_SERVICE_ACCOUNT_LEAST_PRIVILEGE,
  BOOT_DISK_CMEK,
];
