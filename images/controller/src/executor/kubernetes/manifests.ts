/**
 * The Kubernetes objects of one attempt of a fine-tuning job, as plain JSON: what the executor creates and what
 * `vpctune jobs render` prints. Pure: the same inputs give the same objects, byte for byte.
 *
 * - one node: a `batch/v1` Job (NonIndexed, one pod);
 * - several nodes: an Indexed Job (parallelism = completions = nodes) and a headless Service; the pods get the
 *   hostnames `<job>-<index>` under the Service's subdomain, and torchrun's rendezvous environment comes from them
 *   (MASTER_ADDR `<job>-0.<service>`, NODE_RANK = the completion index, NNODES, MASTER_PORT);
 * - the trainer spec in a ConfigMap mounted at /etc/vpctune/spec.json, storage keys turned into bucket URIs;
 * - GPUs requested and limited (`nvidia.com/gpu`), the pool's node selector, and tolerations for the GPU taint and the
 *   taints the cloud adds to the pool's nodes (the profile's `addedTaints`: AKS Spot);
 * - the `vpctune-trainer` service account (the workload identity the bucket trusts), the pod labels the cloud's
 *   identity webhook needs and the cloud's environment (the profile's `workloadIdentity.podLabels` and `podEnv`);
 * - created suspended with the Kueue queue label, so Kueue admits it when the pool has quota;
 * - a scratch emptyDir for staging inputs and checkpoints (sized from the shape's local NVMe) and a memory-backed
 *   /dev/shm for NCCL;
 * - a pod failure policy: exit 2 (invalid spec or data) and disruptions (spot reclaim, node drain, preemption) fail the
 *   Job at once, so the executor decides: it fails the job, or resubmits it to resume from the last checkpoint;
 * - with per-job credentials (job-credentials.ts): their Secret mounted read-only, the issuer's environment and pod
 *   annotations (ARCHITECTURE.md, "Tenant isolation below the API").
 */
import type { V1ConfigMap, V1EnvVar, V1Job, V1PodFailurePolicyRule, V1Service, V1Toleration } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import { CapacityType } from '../../../../../constructs/config';
import { cloudProfile, GPU_RESOURCE, GPU_TAINT, HOST_RESOURCE_SHARE, KUEUE_LOCAL_QUEUE, KUEUE_QUEUE_LABEL, POOL_LABEL, ServiceAccount } from '../../../../../constructs/platform';
import { TRAINER_EXIT, type TrainerSpec } from '../trainer-contract';
import {
  APP_NAME,
  APP_NAME_LABEL,
  ATTEMPT_LABEL,
  COMPLETION_INDEX_ANNOTATION,
  JOB_ID_LABEL,
  labelValue,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  objectNames,
  PLACEMENT_ANNOTATION,
  PREEMPTIONS_ANNOTATION,
  PROJECT_ANNOTATION,
  PROJECT_LABEL,
  TRAINER_CONTAINER,
} from './names';
import { CREDENTIALS_MOUNT_DIR, credentialsSecretName, type JobCredentialIssuer } from './job-credentials';
import type { Placement } from './placement';
import type { KubernetesRunSettings } from './settings';

export const SPEC_MOUNT_DIR = '/etc/vpctune';
export const SPEC_FILE = `${SPEC_MOUNT_DIR}/spec.json`;
export const SCRATCH_DIR = '/scratch';
/** Exit codes of the trainer contract (images/trainer/README.md). */
export const EXIT_INVALID = TRAINER_EXIT.invalid;

/** One attempt of one job. */
export interface RunManifestInput {
  readonly jobId: string;
  readonly projectId: string;
  /** The trainer spec with storage keys (constructs/platform/bucket-keys.ts). */
  readonly spec: TrainerSpec;
  readonly placement: Placement;
  /** 1 for the first Job of the job, +1 for each resubmission. */
  readonly attempt: number;
  /** Node preemptions so far (kept on the Job so a restarted controller keeps counting). */
  readonly preemptions: number;
  /** The Job, once created: the ConfigMap and Service are then owned by it (deleted with it). */
  readonly owner?: { readonly name: string; readonly uid: string };
  /** Per-job credentials: the pod mounts their Secret and gets the issuer's environment and annotations. @default none: the trainer uses its service account's identity */
  readonly credentials?: Pick<JobCredentialIssuer, 'env' | 'podAnnotations'>;
}

export interface RunManifests {
  readonly configMap: V1ConfigMap;
  /** Headless Service for torchrun's rendezvous; only when the run spans several nodes. */
  readonly service?: V1Service;
  readonly job: V1Job;
}

/** The spec the trainer reads: storage keys become URIs under the bucket; the `pool` extension is not a spec field. */
export function podSpecJson(spec: TrainerSpec, settings: KubernetesRunSettings, placement: Placement): Record<string, unknown> {
  const base = settings.bucketUri.replace(/\/+$/, '');
  const uri = (key: string): string => `${base}/${key.replace(/^\/+/, '')}`;
  const { pool: _pool, ...adapter } = spec.adapter as TrainerSpec['adapter'] & { readonly pool?: unknown };
  void _pool;
  return {
    ...spec,
    base_model: uri(spec.base_model),
    training_file: uri(spec.training_file),
    ...(spec.validation_file !== undefined ? { validation_file: uri(spec.validation_file) } : {}),
    adapter,
    output_dir: uri(spec.output_dir),
    ...(spec.publish_dir !== undefined ? { publish_dir: uri(spec.publish_dir) } : {}),
    ...(placement.pool.capacity === CapacityType.SPOT ? { checkpoint_steps: settings.spotCheckpointSteps } : {}),
  };
}

function labels(input: RunManifestInput, pool: string): Record<string, string> {
  return {
    [APP_NAME_LABEL]: APP_NAME,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [JOB_ID_LABEL]: labelValue(input.jobId),
    [PROJECT_LABEL]: labelValue(input.projectId),
    [ATTEMPT_LABEL]: String(input.attempt),
    [POOL_LABEL]: pool,
  };
}

function ownerReferences(input: RunManifestInput): { ownerReferences?: NonNullable<V1ConfigMap['metadata']>['ownerReferences'] } {
  if (input.owner === undefined) return {};
  return { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: input.owner.name, uid: input.owner.uid, controller: true, blockOwnerDeletion: true }] };
}

/** `12Gi`-style quantity, rounded down to whole GiB (at least 1). */
function gibibytes(n: number): string {
  return `${Math.max(1, Math.floor(n))}Gi`;
}

/** Share of the node one pod gets: its GPUs over the node's GPUs. */
function nodeShare(placement: Placement): number {
  return placement.gpusPerPod / placement.pool.sku.gpuCount;
}

const POD_FAILURE_RULES: V1PodFailurePolicyRule[] = [
  // Invalid spec or data: another pod would fail the same way.
  { action: 'FailJob', onExitCodes: { containerName: TRAINER_CONTAINER, operator: 'In', values: [EXIT_INVALID] } },
  // Spot reclaim, drain, scheduler preemption, node lost: end the Job now; the executor resubmits it (counted).
  { action: 'FailJob', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
];

export function buildRunManifests(input: RunManifestInput, settings: KubernetesRunSettings): RunManifests {
  const { placement } = input;
  const pool = placement.pool;
  const names = objectNames(input.jobId, input.attempt);
  const multiNode = placement.nodes > 1;
  const profile = cloudProfile(settings.cloud);
  const common = labels(input, pool.name);
  const namespace = settings.namespace;
  const annotations = { [PROJECT_ANNOTATION]: input.projectId, [PREEMPTIONS_ANNOTATION]: String(input.preemptions), [PLACEMENT_ANNOTATION]: placement.reason };

  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: names.configMap, namespace, labels: common, annotations: { [PROJECT_ANNOTATION]: input.projectId }, ...ownerReferences(input) },
    data: { 'spec.json': `${JSON.stringify(podSpecJson(input.spec, settings, placement), null, 2)}\n` },
  };

  const service: V1Service | undefined = multiNode
    ? {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: names.service, namespace, labels: common, annotations: { [PROJECT_ANNOTATION]: input.projectId }, ...ownerReferences(input) },
        spec: {
          clusterIP: 'None',
          // Rank 0's name must resolve before any pod is ready: torchrun rendezvous happens before readiness.
          publishNotReadyAddresses: true,
          selector: { [JOB_ID_LABEL]: labelValue(input.jobId), [ATTEMPT_LABEL]: String(input.attempt) },
          ports: [{ name: 'rendezvous', port: settings.masterPort, targetPort: settings.masterPort, protocol: 'TCP' }],
        },
      }
    : undefined;

  const env: V1EnvVar[] = [
    { name: 'VPCTUNE_JOB_ID', value: input.jobId },
    { name: 'VPCTUNE_STAGING_DIR', value: SCRATCH_DIR },
    { name: 'HF_HUB_OFFLINE', value: '1' },
    { name: 'PYTHONUNBUFFERED', value: '1' },
    ...profile.podEnv({ region: settings.region, ...(settings.storageEndpoint !== undefined ? { storageEndpoint: settings.storageEndpoint } : {}) }).map((v) => ({ name: v.name, value: v.value })),
    ...(multiNode
      ? [
          { name: 'NNODES', value: String(placement.nodes) },
          { name: 'NODE_RANK', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } },
          { name: 'MASTER_ADDR', value: `${names.job}-0.${names.service}` },
          { name: 'MASTER_PORT', value: String(settings.masterPort) },
        ]
      : []),
    ...(input.credentials?.env ?? []),
  ];

  const gpus = String(placement.gpusPerPod);
  const share = nodeShare(placement);
  const hostRequests: Record<string, string> = settings.hostResources
    ? { cpu: `${Math.max(1, Math.floor(pool.sku.vcpus * share * HOST_RESOURCE_SHARE * 1000))}m`, memory: gibibytes(pool.sku.memoryGiB * share * HOST_RESOURCE_SHARE) }
    : {};
  const tolerations: V1Toleration[] = [
    { key: GPU_TAINT.key, operator: 'Equal', value: GPU_TAINT.value, effect: GPU_TAINT.effect },
    ...profile.addedTaints(pool.capacity).map((t): V1Toleration => ({ key: t.key, operator: 'Equal', value: t.value, effect: t.effect })),
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: settings.unreachableTolerationSeconds },
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: settings.unreachableTolerationSeconds },
  ];
  const scratchGB = pool.sku.localNvmeGB * share * 0.9;
  const podLabels: Record<string, string> = { ...common, ...profile.workloadIdentity.podLabels };

  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: names.job, namespace, labels: { ...common, ...(settings.kueue ? { [KUEUE_QUEUE_LABEL]: KUEUE_LOCAL_QUEUE } : {}) }, annotations },
    spec: {
      suspend: settings.kueue,
      backoffLimit: settings.backoffLimit,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      ...(settings.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: settings.activeDeadlineSeconds } : {}),
      completions: placement.nodes,
      parallelism: placement.nodes,
      ...(multiNode ? { completionMode: 'Indexed' } : {}),
      podFailurePolicy: { rules: POD_FAILURE_RULES },
      template: {
        metadata: { labels: podLabels, annotations: { [PROJECT_ANNOTATION]: input.projectId, ...(input.credentials?.podAnnotations ?? {}) } },
        spec: {
          serviceAccountName: ServiceAccount.TRAINER,
          restartPolicy: 'Never',
          terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds,
          ...(multiNode ? { subdomain: names.service } : {}),
          nodeSelector: { [POOL_LABEL]: pool.name },
          tolerations,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: TRAINER_CONTAINER,
              image: settings.trainerImage,
              args: ['launch', '--spec', SPEC_FILE, '--nproc-per-node', gpus],
              env,
              resources: { requests: { [GPU_RESOURCE]: gpus, ...hostRequests }, limits: { [GPU_RESOURCE]: gpus, ...(hostRequests.memory !== undefined ? { memory: hostRequests.memory } : {}) } },
              ...(multiNode ? { ports: [{ name: 'rendezvous', containerPort: settings.masterPort, protocol: 'TCP' }] } : {}),
              volumeMounts: [
                { name: 'spec', mountPath: SPEC_MOUNT_DIR, readOnly: true },
                { name: 'scratch', mountPath: SCRATCH_DIR },
                { name: 'dshm', mountPath: '/dev/shm' },
                ...(input.credentials !== undefined ? [{ name: 'credentials', mountPath: CREDENTIALS_MOUNT_DIR, readOnly: true }] : []),
              ],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [
            { name: 'spec', configMap: { name: names.configMap, items: [{ key: 'spec.json', path: 'spec.json' }] } },
            { name: 'scratch', emptyDir: scratchGB >= 1 ? { sizeLimit: `${Math.floor(scratchGB)}G` } : {} },
            { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: gibibytes(Math.min(64, pool.sku.memoryGiB * share * 0.1)) } },
            // Group-readable (fsGroup): the trainer runs as a non-root user.
            ...(input.credentials !== undefined ? [{ name: 'credentials', secret: { secretName: credentialsSecretName(names.job), defaultMode: 0o440 } }] : []),
          ],
        },
      },
    },
  };
  return { configMap, ...(service !== undefined ? { service } : {}), job };
}
