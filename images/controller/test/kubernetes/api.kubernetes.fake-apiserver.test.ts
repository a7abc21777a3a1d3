/**
 * The controller's whole API suite (../api-suite.ts, the official openai SDK) with the Kubernetes executor behind it:
 * every job becomes a Job on the in-process list/watch apiserver (fake-apiserver.ts), admitted, run and ended by
 * fake-cluster.ts (Kueue, the Job controller and a kubelet running the fake trainer on a staging copy of the bucket),
 * followed by the executor through @kubernetes/client-node informers and the bucket's events.jsonl.
 *
 * OWED: the same against a real apiserver with Kueue (kind/k3s/envtest); nothing here runs a real kubelet.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConfigFile } from '../../../../constructs/config';
import type { Executor, RunListener } from '../../src/executor/executor';
import { KubernetesExecutor } from '../../src/executor/kubernetes/kubernetes-executor';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import { defineApiSuite } from '../api-suite';
import { FakeApiServer } from './fake-apiserver';
import { FakeCluster } from './fake-cluster';

const NS = 'vpctune';
const BUCKET = 's3://acme-artifacts-1';
const settings = settingsFromConfig(loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', 'platform-aws.yaml')), {
  bucketUri: BUCKET,
  trainerImage: 'registry.example/acme-ft/trainer:0.1.0',
  terminationGracePeriodSeconds: 3,
});

/**
 * The suite pins the exact event sequence of a job as the local executor produces it; the Kubernetes executor adds
 * platform notices (Kueue admission, …) as job events, which platform-on-kubernetes.fake-apiserver.test.ts asserts.
 * Here the listener is handed on without `onNotice`, so the notices stay in the log.
 */
function withoutNotices(inner: Executor): Executor {
  const plain = (l: RunListener): RunListener => ({ onEvents: (id, events, cursor) => l.onEvents(id, events, cursor), onEnd: (id, end) => l.onEnd(id, end) });
  return {
    kind: inner.kind,
    // placement at queue time, stored with the job: every start below runs on it
    ...(inner.place !== undefined ? { place: inner.place.bind(inner) } : {}),
    start: (request, cursor, listener) => inner.start(request, cursor, plain(listener)),
    attach: (request, cursor, listener) => inner.attach(request, cursor, plain(listener)),
    stop: (jobId) => inner.stop(jobId),
    activeRuns: () => inner.activeRuns(),
    detachAll: () => inner.detachAll(),
  };
}

let server: FakeApiServer;
let cluster: FakeCluster;
let kubeConfig: KubeConfig;
let stagingDir = '';

defineApiSuite('Kubernetes executor on a fake cluster', {
  start: async () => {
    server = new FakeApiServer();
    await server.start();
    const k8s = await import('@kubernetes/client-node');
    kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromString(JSON.stringify(server.kubeconfig(NS)));
    stagingDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-k8s-staging-'));
    cluster = new FakeCluster(server, NS, BUCKET, stagingDir);
    return undefined;
  },
  platform: () => ({
    executor: (storage, log, trainer) => {
      cluster.use(storage, trainer);
      return withoutNotices(KubernetesExecutor.factory({ settings, pollMs: 50, watchRetryMs: 50 }, { kubeConfig })(storage, log));
    },
  }),
  stop: () => {
    void cluster.stop().then(() => server.stop());
    fs.rmSync(stagingDir, { recursive: true, force: true });
  },
});
