/**
 * Schema checks of the objects the executor builds, against the Kubernetes OpenAPI schemas bundled (as compiled ajv
 * validators) in the `kubernetes-models` npm package, pinned at 4.5.1 in package.json: the last release that runs on
 * Node 20 (5.x requires Node 22). Its schemas carry the Kubernetes 1.33 API (Container.stopSignal, Job.successPolicy;
 * its README badge still says 1.27.1): types, enums and required fields. Those schemas allow unknown fields, as
 * OpenAPI v2 does; an apiserver with strict field validation rejects them, so `unknownFields` walks the same object
 * with @kubernetes/client-node 1.4's model attribute maps (Kubernetes 1.34: Container.restartPolicyRules,
 * PodSpec.hostnameOverride) and names every field the API does not define. A 1.34-only field is thus checked for
 * existence, not for its value's schema.
 */
type Problems = string[];

interface ModelClass {
  new (data: unknown): { validate(): void };
}

interface Attr {
  readonly baseName: string;
  readonly type: string;
}

type ClientModule = Record<string, unknown>;

export interface SchemaChecker {
  /** Every problem with an object (schema errors and unknown fields), empty when it is valid. */
  problems(obj: { kind?: string }): Problems;
}

const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString', 'RequestFile']);

function unknownFields(k8s: ClientModule, value: unknown, type: string, path: string, out: Problems): void {
  if (value === null || value === undefined) return;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr !== null) {
    if (!Array.isArray(value)) out.push(`${path}: expected a list`);
    else value.forEach((v, i) => unknownFields(k8s, v, arr[1] as string, `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    for (const [k, v] of Object.entries(value as object)) unknownFields(k8s, v, map[1] as string, `${path}.${k}`, out);
    return;
  }
  if (SCALARS.has(type)) return;
  const cls = k8s[type] as { getAttributeTypeMap?: () => readonly Attr[] } | undefined;
  const attrs = cls?.getAttributeTypeMap?.();
  if (attrs === undefined) return;
  for (const [k, v] of Object.entries(value as object)) {
    const attr = attrs.find((a) => a.baseName === k);
    if (attr === undefined) out.push(`${path}.${k}: not a field of ${type}`);
    else unknownFields(k8s, v, attr.type, `${path}.${k}`, out);
  }
}

export async function loadSchemaChecker(): Promise<SchemaChecker> {
  const k8s = (await import('@kubernetes/client-node')) as unknown as ClientModule;
  const models: Record<string, { model: ModelClass; type: string }> = {
    Job: { model: (await import('kubernetes-models/batch/v1/Job')).Job as unknown as ModelClass, type: 'V1Job' },
    ConfigMap: { model: (await import('kubernetes-models/v1/ConfigMap')).ConfigMap as unknown as ModelClass, type: 'V1ConfigMap' },
    Service: { model: (await import('kubernetes-models/v1/Service')).Service as unknown as ModelClass, type: 'V1Service' },
    Secret: { model: (await import('kubernetes-models/v1/Secret')).Secret as unknown as ModelClass, type: 'V1Secret' },
    DaemonSet: { model: (await import('kubernetes-models/apps/v1/DaemonSet')).DaemonSet as unknown as ModelClass, type: 'V1DaemonSet' },
    DeleteOptions: { model: (await import('@kubernetes-models/apimachinery/apis/meta/v1/DeleteOptions')).DeleteOptions as unknown as ModelClass, type: 'V1DeleteOptions' },
    // the Helm chart's kinds (test/chart)
    Deployment: { model: (await import('kubernetes-models/apps/v1/Deployment')).Deployment as unknown as ModelClass, type: 'V1Deployment' },
    ServiceAccount: { model: (await import('kubernetes-models/v1/ServiceAccount')).ServiceAccount as unknown as ModelClass, type: 'V1ServiceAccount' },
    Role: { model: (await import('kubernetes-models/rbac.authorization.k8s.io/v1/Role')).Role as unknown as ModelClass, type: 'V1Role' },
    RoleBinding: { model: (await import('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding')).RoleBinding as unknown as ModelClass, type: 'V1RoleBinding' },
    ClusterRole: { model: (await import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole')).ClusterRole as unknown as ModelClass, type: 'V1ClusterRole' },
    ClusterRoleBinding: { model: (await import('kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding')).ClusterRoleBinding as unknown as ModelClass, type: 'V1ClusterRoleBinding' },
    NetworkPolicy: { model: (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy as unknown as ModelClass, type: 'V1NetworkPolicy' },
    PodDisruptionBudget: { model: (await import('kubernetes-models/policy/v1/PodDisruptionBudget')).PodDisruptionBudget as unknown as ModelClass, type: 'V1PodDisruptionBudget' },
  };
  return {
    problems(obj) {
      const entry = models[obj.kind ?? ''];
      if (entry === undefined) return [`no schema for kind ${String(obj.kind)}`];
      const out: Problems = [];
      try {
        new entry.model(obj).validate();
      } catch (err) {
        out.push(`schema: ${(err as Error).message}`);
      }
      unknownFields(k8s, obj, entry.type, obj.kind ?? '?', out);
      return out;
    },
  };
}
