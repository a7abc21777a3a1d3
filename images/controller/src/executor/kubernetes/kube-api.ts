/**
 * The Kubernetes calls the executor makes, through `@kubernetes/client-node` 1.x (an ES module: loaded with a real
 * dynamic `import()`, which TypeScript keeps as is under `module: nodenext`; jest runs it through the CommonJS bridge in
 * images/controller/test/kubernetes/jest/). Creates and deletes Jobs, ConfigMaps and Services, lists Jobs by label,
 * reads pod logs, and runs the two informers (list + watch with resourceVersion, relist on 410 Gone) the executor
 * follows runs with.
 */
import type * as K8s from '@kubernetes/client-node' with { 'resolution-mode': 'import' };
import type { V1ConfigMap, V1Job, V1Pod, V1Secret, V1Service } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

export type KubernetesClientModule = typeof K8s;

/** Loads @kubernetes/client-node (ESM) from CommonJS code. */
export function loadKubernetesClient(): Promise<KubernetesClientModule> {
  return import('@kubernetes/client-node');
}

/** Where to reach the API server. @default in-cluster service account, else $KUBECONFIG / ~/.kube/config */
export interface KubeConnection {
  /** A kubeconfig file. */
  readonly kubeconfigFile?: string;
  /** A ready KubeConfig (tests point one at an in-process server). */
  readonly kubeConfig?: K8s.KubeConfig;
}

/** Informer of one kind in one namespace, with the events the executor needs. */
export interface ObjectInformer<T> {
  list(): readonly T[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type InformerCallback<T> = (verb: 'add' | 'update' | 'delete', obj: T) => void;

export class KubeApi {
  private constructor(
    private readonly k8s: KubernetesClientModule,
    readonly config: K8s.KubeConfig,
    private readonly batch: K8s.BatchV1Api,
    private readonly core: K8s.CoreV1Api,
  ) {}

  static async connect(connection: KubeConnection = {}): Promise<KubeApi> {
    const k8s = await loadKubernetesClient();
    let kc = connection.kubeConfig;
    if (kc === undefined) {
      kc = new k8s.KubeConfig();
      if (connection.kubeconfigFile !== undefined) kc.loadFromFile(connection.kubeconfigFile);
      else kc.loadFromDefault();
    }
    return new KubeApi(k8s, kc, kc.makeApiClient(k8s.BatchV1Api), kc.makeApiClient(k8s.CoreV1Api));
  }

  /** The HTTP status of an API error, or undefined for other errors. */
  static statusOf(err: unknown): number | undefined {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === 'number' ? code : undefined;
  }

  listJobs(namespace: string, labelSelector: string): Promise<readonly V1Job[]> {
    return this.batch.listNamespacedJob({ namespace, labelSelector }).then((l) => l.items);
  }

  createJob(namespace: string, body: V1Job): Promise<V1Job> {
    return this.batch.createNamespacedJob({ namespace, body });
  }

  /** Deletes a Job; Foreground: the Job stays (with a finalizer) until its pods are gone, each after its grace period. */
  async deleteJob(namespace: string, name: string, propagationPolicy: 'Foreground' | 'Background'): Promise<boolean> {
    try {
      await this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy, body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy } });
      return true;
    } catch (err) {
      if (KubeApi.statusOf(err) === 404) return false;
      throw err;
    }
  }

  /** Creates a ConfigMap; an existing one of that name (an earlier try of the same attempt) is kept. */
  async ensureConfigMap(namespace: string, body: V1ConfigMap): Promise<void> {
    try {
      await this.core.createNamespacedConfigMap({ namespace, body });
    } catch (err) {
      if (KubeApi.statusOf(err) !== 409) throw err;
    }
  }

  /** Creates a Secret, or replaces the one of that name (per-job credentials rewritten before they expire). */
  async applySecret(namespace: string, body: V1Secret): Promise<void> {
    try {
      await this.core.createNamespacedSecret({ namespace, body });
    } catch (err) {
      if (KubeApi.statusOf(err) !== 409) throw err;
      await this.core.replaceNamespacedSecret({ namespace, name: body.metadata?.name ?? '', body });
    }
  }

  async ensureService(namespace: string, body: V1Service): Promise<void> {
    try {
      await this.core.createNamespacedService({ namespace, body });
    } catch (err) {
      if (KubeApi.statusOf(err) !== 409) throw err;
    }
  }

  /** The last lines of a pod's trainer log ('' when it cannot be read). */
  async podLogTail(namespace: string, name: string, container: string, lines = 20): Promise<string> {
    try {
      return (await this.core.readNamespacedPodLog({ namespace, name, container, tailLines: lines })).trim();
    } catch {
      return '';
    }
  }

  jobInformer(namespace: string, labelSelector: string, onEvent: InformerCallback<V1Job>, onError: (err: unknown) => void): ObjectInformer<V1Job> {
    return this.informer(`/apis/batch/v1/namespaces/${namespace}/jobs`, () => this.batch.listNamespacedJob({ namespace, labelSelector }), labelSelector, namespace, onEvent, onError);
  }

  podInformer(namespace: string, labelSelector: string, onEvent: InformerCallback<V1Pod>, onError: (err: unknown) => void): ObjectInformer<V1Pod> {
    return this.informer(`/api/v1/namespaces/${namespace}/pods`, () => this.core.listNamespacedPod({ namespace, labelSelector }), labelSelector, namespace, onEvent, onError);
  }

  private informer<T extends K8s.KubernetesObject>(
    path: string,
    list: () => Promise<K8s.KubernetesListObject<T>>,
    labelSelector: string,
    namespace: string,
    onEvent: InformerCallback<T>,
    onError: (err: unknown) => void,
  ): ObjectInformer<T> {
    const informer = this.k8s.makeInformer<T>(this.config, path, list, labelSelector);
    informer.on('add', (o) => onEvent('add', o));
    informer.on('update', (o) => onEvent('update', o));
    informer.on('delete', (o) => onEvent('delete', o));
    informer.on('error', (err) => onError(err));
    return { list: () => informer.list(namespace), start: () => informer.start(), stop: () => informer.stop() };
  }
}
