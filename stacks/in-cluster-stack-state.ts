/**
 * Where the in-cluster stack keeps its state and how it reads the platform stack's: state of its own (separate, so
 * it can be applied from another machine or replaced by GitOps), in the same backend as the platform stack under a
 * key of its own, and the platform stack's outputs through `terraform_remote_state` of that stack's backend.
 */
import { DataTerraformRemoteStateLocal, LocalBackend, S3Backend, GcsBackend, AzurermBackend, TerraformBackend, type TerraformRemoteState, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/** The suffix of the in-cluster stack's id and of its state key. */
export const IN_CLUSTER_SUFFIX = 'in-cluster';

/** The platform stack's backend, as its Terraform JSON writes it: `{s3: {bucket, key, ...}}`. */
function backendJson(backend: TerraformBackend): [string, Record<string, unknown>] {
  const json = (backend.toTerraform() as { terraform: { backend: Record<string, Record<string, unknown>> } }).terraform.backend;
  const [kind, props] = Object.entries(json)[0] as [string, Record<string, unknown>];
  return [kind, props];
}

const camel = (props: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(props).filter(([, v]) => v !== undefined).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), v]));

/** `vpctune/acme.tfstate` → `vpctune/acme-in-cluster.tfstate`; `vpctune/acme` (a GCS prefix) → `vpctune/acme-in-cluster`. */
export function inClusterStateKey(key: string): string {
  return key.endsWith('.tfstate') ? `${key.slice(0, -'.tfstate'.length)}-${IN_CLUSTER_SUFFIX}.tfstate` : `${key}-${IN_CLUSTER_SUFFIX}`;
}

/**
 * Gives `stack` a backend like the platform stack's with its own key (local state: beside its own synthesized JSON),
 * and returns the platform stack's outputs as remote state. A local platform state is read from its stack directory
 * beside this one (`../<platform stack>/terraform.tfstate`), as `vpctune synth` lays them out.
 */
export function platformRemoteState(stack: TerraformStack, platform: TerraformStack): TerraformRemoteState {
  const backend = platform.node.children.find((c): c is TerraformBackend => c instanceof TerraformBackend);
  if (backend === undefined || backend instanceof LocalBackend) {
    new LocalBackend(stack, { path: 'terraform.tfstate' });
    return new DataTerraformRemoteStateLocal(stack as Construct, 'platform', { path: `../${platform.node.id}/terraform.tfstate` });
  }
  const [kind, props] = backendJson(backend);
  const own = camel(props);
  if (backend instanceof S3Backend) new S3Backend(stack, { ...own, key: inClusterStateKey(String(props['key'])) } as never);
  else if (backend instanceof GcsBackend) new GcsBackend(stack, { ...own, prefix: inClusterStateKey(String(props['prefix'])) } as never);
  else if (backend instanceof AzurermBackend) new AzurermBackend(stack, { ...own, key: inClusterStateKey(String(props['key'])) } as never);
  else throw new Error(`in-cluster stack of ${platform.node.id}: the platform's ${kind} backend is not one vpctune writes (local, s3, gcs, azurerm)`);
  return backend.getRemoteStateDataSource(stack, 'platform', platform.node.id);
}
