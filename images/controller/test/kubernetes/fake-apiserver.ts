/**
 * An in-process HTTP server that speaks the part of the Kubernetes API the executor uses, so the executor's real
 * `@kubernetes/client-node` code (KubeConfig → BatchV1Api/CoreV1Api → makeInformer's list + watch) runs against it:
 *
 * - collections of Jobs (batch/v1), Pods, ConfigMaps, Services and Secrets (v1) per namespace: replace (PUT), list (with labelSelector and the
 *   collection's resourceVersion), create (409 AlreadyExists), get, delete (propagationPolicy Background: gone at once
 *   with its dependents; Foreground: deletionTimestamp + foregroundDeletion finalizer until `finishForegroundDeletion`);
 * - watch (`?watch=true&resourceVersion=N`): chunked JSON lines `{"type":"ADDED"|"MODIFIED"|"DELETED","object":…}`
 *   replayed from the event history after N, then live; a resourceVersion older than the compaction point answers like
 *   the real apiserver (200 and an `ERROR` event with a 410 `Expired` Status, then the stream ends) or, in `http410`
 *   mode, with HTTP 410;
 * - pod logs (`…/pods/NAME/log`), bearer-token auth.
 *
 * It is not an apiserver: no validation, defaulting, admission, field selectors, patch or resourceVersion conflicts.
 * Tests play Kueue, the Job controller and the kubelet by editing objects (`admit`, `addPod`, `updateJob`, …).
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Obj = { apiVersion?: string; kind?: string; metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string }[]; deletionTimestamp?: string; finalizers?: string[]; creationTimestamp?: string; generateName?: string }; [k: string]: unknown };
export type Kind = 'jobs' | 'pods' | 'configmaps' | 'services' | 'secrets';
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

const KIND_INFO: Readonly<Record<Kind, { apiVersion: string; kind: string; prefix: string }>> = {
  jobs: { apiVersion: 'batch/v1', kind: 'Job', prefix: '/apis/batch/v1' },
  pods: { apiVersion: 'v1', kind: 'Pod', prefix: '/api/v1' },
  configmaps: { apiVersion: 'v1', kind: 'ConfigMap', prefix: '/api/v1' },
  services: { apiVersion: 'v1', kind: 'Service', prefix: '/api/v1' },
  secrets: { apiVersion: 'v1', kind: 'Secret', prefix: '/api/v1' },
};

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** `a=b,c,d!=e` label selectors (equality, inequality, existence). */
export function matchesSelector(labels: Readonly<Record<string, string>> | undefined, selector: string | undefined): boolean {
  if (selector === undefined || selector === '') return true;
  const l = labels ?? {};
  return selector.split(',').every((term) => {
    const t = term.trim();
    let m = /^([^!=]+)!=(.*)$/.exec(t);
    if (m) return l[(m[1] ?? '').trim()] !== (m[2] ?? '').trim();
    m = /^([^=]+)==?(.*)$/.exec(t);
    if (m) return l[(m[1] ?? '').trim()] === (m[2] ?? '').trim();
    if (t.startsWith('!')) return !(t.slice(1) in l);
    return t in l;
  });
}

interface Watcher {
  readonly kind: Kind;
  readonly namespace: string;
  readonly selector: string | undefined;
  readonly res: http.ServerResponse;
}

export class FakeApiServer {
  readonly token = 'fake-token';
  readonly requests: Recorded[] = [];
  /** List calls per kind: a watch resumed from its resourceVersion does not list again; a 410 relists. */
  readonly listCalls: Record<Kind, number> = { jobs: 0, pods: 0, configmaps: 0, services: 0, secrets: 0 };
  readonly watchCalls: { kind: Kind; resourceVersion: string | undefined; answer: 'stream' | 'expired-event' | 'http-410' | 'http-500' }[] = [];
  readonly podLogs = new Map<string, string>();
  /** How a too-old resourceVersion is answered. */
  expiredMode: 'event' | 'http410' = 'event';
  /** The next N watch requests answer 500 (an apiserver or proxy hiccup). */
  failNextWatches = 0;
  private readonly store: Record<Kind, Map<string, Obj>> = { jobs: new Map(), pods: new Map(), configmaps: new Map(), services: new Map(), secrets: new Map() };
  private readonly history: { rv: number; kind: Kind; type: EventType; obj: Obj }[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;
  private compactedBelow = 0;
  private readonly server: http.Server;
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A kubeconfig (YAML-compatible JSON) pointing at this server. */
  kubeconfig(namespace = 'default'): Record<string, unknown> {
    return {
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain HTTP unless TLS verification is off (there is no TLS to verify here).
      clusters: [{ name: 'fake', cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'tester', user: { token: this.token } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'tester', namespace } }],
      'current-context': 'fake',
    };
  }

  // --- state the tests drive ---

  get(kind: Kind, namespace: string, name: string): Obj | undefined {
    const o = this.store[kind].get(`${namespace}/${name}`);
    return o === undefined ? undefined : clone(o);
  }

  list(kind: Kind, namespace?: string): Obj[] {
    return [...this.store[kind].values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace).map(clone);
  }

  created(kind: Kind): Obj[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${kind}`)).map((r) => r.body as Obj);
  }

  /** Inserts or replaces an object, as a controller would (MODIFIED when it existed). */
  put(kind: Kind, obj: Obj): Obj {
    const ns = obj.metadata.namespace ?? 'default';
    const key = `${ns}/${obj.metadata.name}`;
    const existing = this.store[kind].get(key);
    const next: Obj = clone({ apiVersion: KIND_INFO[kind].apiVersion, kind: KIND_INFO[kind].kind, ...obj });
    next.metadata = { ...next.metadata, namespace: ns, uid: existing?.metadata.uid ?? next.metadata.uid ?? randomUUID(), creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString(), resourceVersion: String((this.rv += 1)) };
    this.store[kind].set(key, next);
    this.emit(kind, existing === undefined ? 'ADDED' : 'MODIFIED', next);
    return clone(next);
  }

  update(kind: Kind, namespace: string, name: string, mutate: (o: Obj) => void): Obj {
    const o = this.get(kind, namespace, name);
    if (o === undefined) throw new Error(`no ${kind} ${namespace}/${name}`);
    mutate(o);
    return this.put(kind, o);
  }

  remove(kind: Kind, namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const o = this.store[kind].get(key);
    if (o === undefined) return;
    this.store[kind].delete(key);
    const gone = { ...clone(o), metadata: { ...clone(o.metadata), resourceVersion: String((this.rv += 1)) } };
    this.emit(kind, 'DELETED', gone);
    // Garbage collection: dependents owned by it, and a Job's pods.
    for (const k of Object.keys(this.store) as Kind[]) {
      for (const d of [...this.store[k].values()]) {
        const owned = (d.metadata.ownerReferences ?? []).some((r) => r.uid === o.metadata.uid);
        const podOfJob = kind === 'jobs' && k === 'pods' && d.metadata.labels?.['batch.kubernetes.io/job-name'] === name;
        if (owned || podOfJob) this.remove(k, d.metadata.namespace ?? namespace, d.metadata.name);
      }
    }
  }

  /** Kueue admits a suspended Job. */
  admit(namespace: string, name: string): void {
    this.update('jobs', namespace, name, (j) => {
      (j['spec'] as { suspend: boolean }).suspend = false;
    });
  }

  /** The Job controller creates pod `index` of a Job from its template. */
  addPod(namespace: string, jobName: string, index: number, status: Record<string, unknown>): string {
    const job = this.get('jobs', namespace, jobName);
    if (job === undefined) throw new Error(`no job ${jobName}`);
    const template = (job['spec'] as { template: { metadata: { labels: Record<string, string> }; spec: unknown } }).template;
    const name = `${jobName}-${index}-x${index}`;
    this.put('pods', {
      metadata: { name, namespace, labels: { ...template.metadata.labels, 'batch.kubernetes.io/job-name': jobName, 'job-name': jobName }, annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } },
      spec: template.spec,
      status,
    });
    return name;
  }

  /** Ends a foreground deletion: the pods are gone, then the Job. */
  finishForegroundDeletion(namespace: string, name: string): void {
    this.remove('jobs', namespace, name);
  }

  /** Forgets history at or below the current resourceVersion: older watches get 410 Gone. */
  compact(): void {
    this.compactedBelow = this.rv + 1;
    this.history.splice(0, this.history.length);
  }

  /** Closes every open watch (as an apiserver restart or a load balancer timeout would). */
  dropWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  openWatches(kind?: Kind): number {
    return [...this.watchers].filter((w) => kind === undefined || w.kind === kind).length;
  }

  // --- HTTP ---

  private readonly changeListeners: ((kind: Kind, type: EventType, obj: Obj) => void)[] = [];

  /** Calls `cb` after every change (how fake-cluster.ts plays the controllers that watch the apiserver). */
  onChange(cb: (kind: Kind, type: EventType, obj: Obj) => void): void {
    this.changeListeners.push(cb);
  }

  private emit(kind: Kind, type: EventType, obj: Obj): void {
    for (const cb of this.changeListeners) setImmediate(() => cb(kind, type, clone(obj)));
    const rv = Number(obj.metadata.resourceVersion);
    this.history.push({ rv, kind, type, obj: clone(obj) });
    for (const w of this.watchers) {
      if (w.kind === kind && obj.metadata.namespace === w.namespace && matchesSelector(obj.metadata.labels, w.selector)) w.res.write(`${JSON.stringify({ type, object: obj })}\n`);
    }
  }

  private status(res: http.ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
  }

  private json(res: http.ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const query = Object.fromEntries(url.searchParams.entries());
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query, body });
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.status(res, 401, 'Unauthorized', 'Unauthorized');

    const m = /^\/(?:api\/v1|apis\/batch\/v1)\/namespaces\/([^/]+)\/(jobs|pods|configmaps|services|secrets)(?:\/([^/]+))?(?:\/(log))?$/.exec(url.pathname);
    if (m === null) return this.status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
    const [, namespace = '', kind = 'jobs', name, sub] = m as unknown as [string, string, Kind, string | undefined, string | undefined];
    if (!url.pathname.startsWith(KIND_INFO[kind].prefix)) return this.status(res, 404, 'NotFound', `no ${kind} under ${url.pathname}`);

    if (sub === 'log') {
      const log = this.podLogs.get(name ?? '');
      if (log === undefined) return this.status(res, 404, 'NotFound', `pods "${name}" not found`);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(query['tailLines'] !== undefined ? log.split('\n').slice(-Number(query['tailLines'])).join('\n') : log);
      return;
    }
    if (name === undefined && method === 'GET' && query['watch'] === 'true') return this.watch(kind, namespace, query, res);
    if (name === undefined && method === 'GET') {
      this.listCalls[kind] += 1;
      const items = this.list(kind, namespace).filter((o) => matchesSelector(o.metadata.labels, query['labelSelector']));
      return this.json(res, 200, { apiVersion: KIND_INFO[kind].apiVersion, kind: `${KIND_INFO[kind].kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (name === undefined && method === 'POST') {
      const obj = body as Obj;
      if (this.store[kind].has(`${namespace}/${obj.metadata.name}`)) return this.status(res, 409, 'AlreadyExists', `${kind}.${KIND_INFO[kind].apiVersion} "${obj.metadata.name}" already exists`);
      return this.json(res, 201, this.put(kind, { ...obj, metadata: { ...obj.metadata, namespace } }));
    }
    if (name !== undefined && method === 'GET') {
      const o = this.get(kind, namespace, name);
      return o === undefined ? this.status(res, 404, 'NotFound', `${kind} "${name}" not found`) : this.json(res, 200, o);
    }
    if (name !== undefined && method === 'PUT') {
      // Replace (no resourceVersion check): what the executor does to rewrite a Secret.
      if (this.get(kind, namespace, name) === undefined) return this.status(res, 404, 'NotFound', `${kind} "${name}" not found`);
      return this.json(res, 200, this.put(kind, { ...(body as Obj), metadata: { ...(body as Obj).metadata, name, namespace } }));
    }
    if (name !== undefined && method === 'DELETE') {
      const o = this.get(kind, namespace, name);
      if (o === undefined) return this.status(res, 404, 'NotFound', `${kind} "${name}" not found`);
      const policy = query['propagationPolicy'] ?? (body as { propagationPolicy?: string } | undefined)?.propagationPolicy ?? 'Background';
      if (policy === 'Foreground') {
        const marked = this.update(kind, namespace, name, (x) => {
          x.metadata.deletionTimestamp = new Date().toISOString();
          x.metadata.finalizers = ['foregroundDeletion'];
        });
        return this.json(res, 200, marked);
      }
      this.remove(kind, namespace, name);
      return this.json(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind } });
    }
    return this.status(res, 405, 'MethodNotAllowed', `${method} is not supported by the fake apiserver`);
  }

  private watch(kind: Kind, namespace: string, query: Record<string, string>, res: http.ServerResponse): void {
    const from = query['resourceVersion'];
    if (this.failNextWatches > 0) {
      this.failNextWatches -= 1;
      this.watchCalls.push({ kind, resourceVersion: from, answer: 'http-500' });
      return this.status(res, 500, 'InternalError', 'etcdserver: request timed out');
    }
    const selector = query['labelSelector'];
    if (from !== undefined && from !== '' && from !== '0' && Number(from) < this.compactedBelow) {
      if (this.expiredMode === 'http410') {
        this.watchCalls.push({ kind, resourceVersion: from, answer: 'http-410' });
        return this.status(res, 410, 'Expired', `too old resource version: ${from} (${this.compactedBelow})`);
      }
      this.watchCalls.push({ kind, resourceVersion: from, answer: 'expired-event' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${from} (${this.compactedBelow})`, reason: 'Expired', code: 410 } })}\n`);
      return;
    }
    this.watchCalls.push({ kind, resourceVersion: from, answer: 'stream' });
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const after = from === undefined || from === '' ? this.rv : Number(from);
    for (const e of this.history) {
      if (e.rv > after && e.kind === kind && e.obj.metadata.namespace === namespace && matchesSelector(e.obj.metadata.labels, selector)) res.write(`${JSON.stringify({ type: e.type, object: e.obj })}\n`);
    }
    const w: Watcher = { kind, namespace, selector, res };
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }
}
