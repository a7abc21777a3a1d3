/**
 * The Kubernetes executor against an in-process server that speaks the Kubernetes list/watch protocol
 * (fake-apiserver.ts), through the same @kubernetes/client-node code production uses: a KubeConfig pointing at the
 * server, BatchV1Api/CoreV1Api for creates, deletes, lists and pod logs, and makeInformer's list + chunked watch with
 * resourceVersion resume and relist on 410 Gone. The tests play Kueue (unsuspending Jobs), the Job controller
 * (pods, Job conditions) and the kubelet (container states) by editing objects on the server; the trainer by writing
 * events.jsonl into the blob storage.
 *
 * OWED: a test against a real apiserver (kind/k3s or envtest with Kueue installed). None can run on our CI machines
 * (no container runtime, no network), so what is proven here is the executor's side of the protocol, not the real
 * Job controller's, Kueue's or the kubelet's behaviour — those are simulated from their documentation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { loadConfigFile } from '../../../../constructs/config';
import type { RunEnd, RunRequest } from '../../src/executor/executor';
import { KubernetesExecutor, type RunNotice, type RunNoticeListener } from '../../src/executor/kubernetes/kubernetes-executor';
import { objectNames } from '../../src/executor/kubernetes/names';
import { settingsFromConfig } from '../../src/executor/kubernetes/settings';
import type { TrainerEvent } from '../../src/executor/trainer-contract';
import { silentLogger } from '../../src/ops/logger';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { FakeApiServer, type Obj } from './fake-apiserver';
import { loadSchemaChecker, type SchemaChecker } from './k8s-schema';

const NS = 'vpctune';
const config = loadConfigFile(path.join(__dirname, '..', 'fixtures', 'kubernetes', 'platform-aws.yaml'));
const settings = settingsFromConfig(config, { bucketUri: 's3://acme-artifacts-1', trainerImage: 'registry.example/acme-ft/trainer:0.1.0' });

class Recorder implements RunNoticeListener {
  readonly events: { events: readonly TrainerEvent[]; cursor: number }[] = [];
  readonly ends: RunEnd[] = [];
  readonly notices: RunNotice[] = [];
  async onEvents(_jobId: string, events: readonly TrainerEvent[], cursor: number): Promise<void> {
    this.events.push({ events, cursor });
  }
  async onEnd(_jobId: string, end: RunEnd): Promise<void> {
    this.ends.push(end);
  }
  async onNotice(_jobId: string, notice: RunNotice): Promise<void> {
    this.notices.push(notice);
  }
  messages(): string[] {
    return this.notices.map((n) => n.message);
  }
  allEvents(): TrainerEvent[] {
    return this.events.flatMap((b) => [...b.events]);
  }
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function request(jobId: string, model = 'meta-llama/Llama-3.1-8B-Instruct', adapter: RunRequest['spec']['adapter'] = { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' }): RunRequest {
  return {
    jobId,
    projectId: 'team-a',
    spec: {
      base_model: `models/${model}/`,
      training_file: 'files/file-train',
      method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
      adapter,
      seed: 42,
      output_dir: `jobs/${jobId}/output/`,
    },
  };
}

const RUNNING = { phase: 'Running', containerStatuses: [{ name: 'trainer', image: settings.trainerImage, ready: true, restartCount: 0, imageID: '', state: { running: { startedAt: '2026-11-22T00:00:00Z' } } }] };
function terminatedStatus(exitCode: number, reason = exitCode === 0 ? 'Completed' : 'Error', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { phase: exitCode === 0 ? 'Succeeded' : 'Failed', ...extra, containerStatuses: [{ name: 'trainer', image: settings.trainerImage, ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode, reason } } }] };
}
function jobCondition(type: string, reason: string, message = ''): (j: Obj) => void {
  return (j) => {
    j['status'] = { conditions: [{ type, status: 'True', reason, message }] };
  };
}

let server: FakeApiServer;
let kubeConfig: KubeConfig;
let storage: LocalDirectoryStorage;
let tmp: string;
let schema: SchemaChecker;
let clock = 1_000_000;
const executors: KubernetesExecutor[] = [];

async function newExecutor(overrides: Partial<ConstructorParameters<typeof KubernetesExecutor>[2]> = {}): Promise<KubernetesExecutor> {
  const e = await KubernetesExecutor.connect(storage, { settings, pollMs: 40, watchRetryMs: 40, maxPreemptions: 2, imagePullTimeoutMs: 60_000, now: () => clock, ...overrides }, silentLogger, { kubeConfig });
  executors.push(e);
  return e;
}

function appendEvents(jobId: string, lines: readonly string[]): void {
  const file = storage.localPath(`jobs/${jobId}/output/events.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, lines.join(''));
}

beforeAll(async () => {
  schema = await loadSchemaChecker();
});

beforeEach(async () => {
  server = new FakeApiServer();
  await server.start();
  const k8s = await import('@kubernetes/client-node');
  kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromString(JSON.stringify(server.kubeconfig(NS)));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-k8s-'));
  storage = new LocalDirectoryStorage(tmp);
  clock = 1_000_000;
});

afterEach(async () => {
  for (const e of executors.splice(0)) await e.detachAll();
  await server.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('one node: created suspended, admitted by Kueue, events relayed from the bucket, Complete ends with exit 0', async () => {
  // GIVEN an executor on the AWS platform and a LoRA job of an 8B model
  const executor = await newExecutor();
  const rec = new Recorder();
  const name = objectNames('ftjob-One', 1).job;
  // WHEN it starts
  const ref = await executor.start(request('ftjob-One'), 0, rec);
  // THEN one Job was created, suspended for Kueue, on the smallest pool that holds it, and its spec ConfigMap after it
  expect(JSON.parse(ref)).toEqual({ job: name, attempt: 1, namespace: NS, pool: 'a10g', nodes: 1, gpus_per_node: 1 });
  const [job] = server.created('jobs');
  expect(server.created('jobs')).toHaveLength(1);
  expect(schema.problems(job as Obj)).toEqual([]);
  expect((job as Obj)['spec']).toMatchObject({ suspend: true });
  const [cm] = server.created('configmaps');
  expect(schema.problems(cm as Obj)).toEqual([]);
  expect(cm?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', name, uid: server.get('jobs', NS, name)?.metadata.uid });
  expect(server.created('services')).toEqual([]);
  await waitFor('the queued notice', () => rec.messages().includes(`Waiting for Kueue to admit Kubernetes Job ${name} (queue vpctune, pool a10g)`));

  // WHEN Kueue admits it and its pod runs
  server.admit(NS, name);
  await waitFor('the admitted notice', () => rec.messages().includes(`Kueue admitted Kubernetes Job ${name}; starting its pods on pool a10g`));
  server.addPod(NS, name, 0, RUNNING);
  await waitFor('the running notice', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));

  // AND the trainer's mirror uploads events.jsonl with a partly written last line
  const started = `${JSON.stringify({ type: 'started', time: 1, total_steps: 4, n_epochs: 1, resumed_from_step: null, hyperparameters: { n_epochs: 1 }, pid: 7 })}\n`;
  const progress = `${JSON.stringify({ type: 'progress', time: 2, step: 1, total_steps: 4, epoch: 0.25, tokens_per_second: 100, eta_seconds: 3 })}\n`;
  appendEvents('ftjob-One', [started, progress, '{"type":"metr']);
  // THEN the complete lines are relayed with the byte cursor after them
  const first = await waitFor('relayed events', () => rec.events[0]);
  expect(first.events.map((e) => e.type)).toEqual(['started', 'progress']);
  expect(first.cursor).toBe(Buffer.byteLength(started + progress));

  // WHEN the trainer finishes and the Job completes
  appendEvents('ftjob-One', [`ics","time":3,"epoch":1,"iteration":4,"train_loss":0.5,"trained_tokens":40,"valid_loss":null,"perplexity":null}\n`, `${JSON.stringify({ type: 'finished', time: 4, trained_tokens: 40, manifest: 'manifest.json' })}\n`]);
  server.update('pods', NS, `${name}-0-x0`, (p) => {
    p['status'] = terminatedStatus(0);
  });
  server.update('jobs', NS, name, jobCondition('Complete', 'CompletionsReached'));
  // THEN every event was relayed in order and the run ended with exit 0
  const end = await waitFor('the end', () => rec.ends[0]);
  expect(end).toEqual({ exitCode: 0, logTail: '' });
  expect(rec.allEvents().map((e) => e.type)).toEqual(['started', 'progress', 'metrics', 'finished']);
  expect(executor.activeRuns()).toBe(0);
  // AND starting the job again (a supervisor that lost the success) reports the completed Job instead of training again
  const again = new Recorder();
  await executor.start(request('ftjob-One'), end === undefined ? 0 : rec.events[rec.events.length - 1]?.cursor ?? 0, again);
  expect((await waitFor('the second end', () => again.ends[0])).exitCode).toBe(0);
  expect(server.created('jobs')).toHaveLength(1);
});

test('several nodes: an Indexed Job with a headless Service owned by it', async () => {
  // GIVEN a full fine-tuning job of a 70B model (17 H100s: 3 nodes of the h100 pool)
  const executor = await newExecutor();
  const rec = new Recorder();
  // WHEN it starts
  const ref = await executor.start(request('ftjob-Big', 'meta-llama/Llama-3.1-70B-Instruct', { type: 'full', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear' }), 0, rec);
  // THEN the Job is Indexed over 3 nodes and the Service, owned by it, resolves rank 0 before readiness
  expect(JSON.parse(ref)).toMatchObject({ pool: 'h100', nodes: 3, gpus_per_node: 8 });
  const [job] = server.created('jobs');
  const [svc] = server.created('services');
  expect(schema.problems(job as Obj)).toEqual([]);
  expect(schema.problems(svc as Obj)).toEqual([]);
  expect((job as Obj)['spec']).toMatchObject({ completionMode: 'Indexed', completions: 3, parallelism: 3 });
  expect(svc?.metadata.ownerReferences?.[0]?.uid).toBe(server.get('jobs', NS, objectNames('ftjob-Big', 1).job)?.metadata.uid);
  expect((svc as Obj)['spec']).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
});

test('spot preemption: resubmitted to resume from the checkpoint, counted, and failed past the limit', async () => {
  // GIVEN an executor that resubmits at most 2 preemptions, and a running job
  const executor = await newExecutor({ maxPreemptions: 2 });
  const rec = new Recorder();
  await executor.start(request('ftjob-Spot'), 0, rec);
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const name = objectNames('ftjob-Spot', attempt).job;
    await waitFor(`job ${name}`, () => server.get('jobs', NS, name));
    server.admit(NS, name);
    const pod = server.addPod(NS, name, 0, RUNNING);
    await waitFor('running', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));
    // WHEN the spot node is reclaimed: the pod is disrupted, checkpoints on SIGTERM (exit 75) and the pod failure
    // policy fails the Job
    server.update('pods', NS, pod, (p) => {
      p['status'] = terminatedStatus(75, 'Error', { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: 'node shutdown' }] });
    });
    server.update('jobs', NS, name, jobCondition('Failed', 'PodFailurePolicy', `Pod ${NS}/${pod} has condition DisruptionTarget matching FailJob rule at index 1`));
    if (attempt <= 2) {
      // THEN the old Job is deleted and attempt N+1 is created with the count on it
      const next = objectNames('ftjob-Spot', attempt + 1).job;
      const created = await waitFor(`attempt ${attempt + 1}`, () => server.created('jobs').find((j) => j.metadata.name === next));
      expect(schema.problems(created)).toEqual([]);
      expect(created.metadata.annotations?.['vpctune.dev/preemptions']).toBe(String(attempt));
      expect(created.metadata.labels?.['vpctune.dev/attempt']).toBe(String(attempt + 1));
      expect(server.get('jobs', NS, name)).toBeUndefined();
      expect(rec.messages()).toContain(`Node preempted (pod ${pod} was disrupted (TerminationByKubelet: node shutdown)); resubmitting to resume from the last checkpoint (preemption ${attempt} of at most 2)`);
    }
  }
  // THEN the third preemption fails the job with its own code, and no fourth Job is created
  const end = await waitFor('the end', () => rec.ends[0]);
  const pod3 = `${objectNames('ftjob-Spot', 3).job}-0-x0`;
  const failed = rec.allEvents().find((e) => e.type === 'failed');
  expect(failed).toMatchObject({ code: 'preempted', param: null, message: `The job's nodes were preempted 3 times (last: pod ${pod3} was disrupted (TerminationByKubelet: node shutdown)); giving up after 2 resubmissions.` });
  expect(end.exitCode).toBeNull();
  expect(server.created('jobs')).toHaveLength(3);
  const deletes = server.requests.filter((r) => r.method === 'DELETE');
  expect(deletes.map((d) => d.query['propagationPolicy'])).toEqual(['Background', 'Background']);
});

test('a stored placement: the Job goes where the job was placed when queued, and the resubmission after a preemption stays there', async () => {
  // GIVEN a job placed on the h100 pool with 2 GPUs when it was queued (today's choice for 8B LoRA would be 1 GPU of a10g)
  const executor = await newExecutor({ maxPreemptions: 2 });
  const rec = new Recorder();
  const stored = { pool: 'h100', nodes: 1, gpusPerNode: 2, reason: 'placed when queued' };
  // WHEN it starts
  await executor.start({ ...request('ftjob-Stored'), placement: stored }, 0, rec);
  const first = objectNames('ftjob-Stored', 1).job;
  const created = await waitFor(`job ${first}`, () => server.created('jobs').find((j) => j.metadata.name === first));
  // THEN its Job is on the stored pool with the stored GPU count
  const shape = (j: typeof created) => {
    const pod = (j as unknown as { spec: { template: { spec: { containers: { resources: { limits: Record<string, string> } }[] } } } }).spec.template.spec;
    return { pool: j.metadata.labels?.['vpctune.dev/pool'], gpus: pod.containers[0]?.resources.limits['nvidia.com/gpu'] };
  };
  expect(shape(created)).toEqual({ pool: 'h100', gpus: '2' });
  // WHEN its node is preempted
  server.admit(NS, first);
  const pod = server.addPod(NS, first, 0, RUNNING);
  await waitFor('running', () => rec.messages().includes(`Trainer running (Kubernetes Job ${first})`));
  server.update('pods', NS, pod, (p) => {
    p['status'] = terminatedStatus(75, 'Error', { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: 'node shutdown' }] });
  });
  server.update('jobs', NS, first, jobCondition('Failed', 'PodFailurePolicy', `Pod ${NS}/${pod} has condition DisruptionTarget matching FailJob rule at index 1`));
  // THEN attempt 2 is resubmitted on the same pool and shape
  const second = objectNames('ftjob-Stored', 2).job;
  const resubmitted = await waitFor(`attempt 2`, () => server.created('jobs').find((j) => j.metadata.name === second));
  expect(shape(resubmitted)).toEqual({ pool: 'h100', gpus: '2' });
  await executor.stop('ftjob-Stored');
});

test('cancel: the Job is deleted with foreground propagation, and the run ends with exit 75 once it is gone', async () => {
  // GIVEN a running job
  const executor = await newExecutor();
  const rec = new Recorder();
  await executor.start(request('ftjob-Stop'), 0, rec);
  const name = objectNames('ftjob-Stop', 1).job;
  server.admit(NS, name);
  const pod = server.addPod(NS, name, 0, RUNNING);
  await waitFor('running', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));
  // WHEN it is cancelled
  await executor.stop('ftjob-Stop');
  // THEN one DELETE asks for foreground propagation (the pods get their SIGTERM grace period first)
  const del = server.requests.filter((r) => r.method === 'DELETE');
  expect(del).toHaveLength(1);
  expect(del[0]?.path).toBe(`/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
  expect(del[0]?.query['propagationPolicy']).toBe('Foreground');
  expect(schema.problems(del[0]?.body as Obj)).toEqual([]);
  expect(del[0]?.body).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' });
  expect(server.get('jobs', NS, name)?.metadata.deletionTimestamp).toBeDefined();
  expect(rec.ends).toEqual([]);
  // WHEN the trainer checkpoints and exits 75, its pod and then the Job are gone
  appendEvents('ftjob-Stop', [`${JSON.stringify({ type: 'stopped', time: 5, step: 3, checkpoint: 'checkpoints/step-3' })}\n`]);
  server.update('pods', NS, pod, (p) => {
    p['status'] = terminatedStatus(75);
  });
  server.finishForegroundDeletion(NS, name);
  // THEN the stopped event is relayed and the run ends as stopped
  const end = await waitFor('the end', () => rec.ends[0]);
  expect(end.exitCode).toBe(75);
  expect(rec.allEvents().map((e) => e.type)).toEqual(['stopped']);
  expect(server.created('jobs')).toHaveLength(1);
});

test('watch: a dropped watch resumes from its resourceVersion; 410 Gone (event or HTTP status) relists and misses nothing', async () => {
  // GIVEN a followed job whose informers have listed once and are watching
  const executor = await newExecutor();
  const rec = new Recorder();
  await executor.start(request('ftjob-Watch'), 0, rec);
  const name = objectNames('ftjob-Watch', 1).job;
  await waitFor('both watches', () => server.openWatches('jobs') === 1 && server.openWatches('pods') === 1);
  expect([server.listCalls.jobs, server.listCalls.pods]).toEqual([2, 1]); // the informer's list + start()'s lookup by label
  const rvBefore = server.get('jobs', NS, name)?.metadata.resourceVersion;

  // WHEN the connections drop (apiserver restart, load balancer timeout) and a change happens meanwhile
  server.dropWatches();
  server.admit(NS, name);
  // THEN the watches come back from their resourceVersion, without a list, and the change arrives
  await waitFor('the admitted notice', () => rec.messages().includes(`Kueue admitted Kubernetes Job ${name}; starting its pods on pool a10g`));
  expect([server.listCalls.jobs, server.listCalls.pods]).toEqual([2, 1]);
  expect(server.watchCalls.filter((w) => w.kind === 'jobs').map((w) => w.answer)).toEqual(['stream', 'stream']);
  expect(Number(server.watchCalls.filter((w) => w.kind === 'jobs')[1]?.resourceVersion)).toBeGreaterThanOrEqual(Number(rvBefore));

  // WHEN the history is compacted and the watches drop: the apiserver answers 200 + an ERROR event with 410 Expired
  server.compact();
  server.dropWatches();
  server.addPod(NS, name, 0, RUNNING);
  // THEN the informers relist and see the pod
  await waitFor('the running notice', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));
  expect(server.watchCalls.some((w) => w.kind === 'pods' && w.answer === 'expired-event')).toBe(true);
  await waitFor('relist of pods', () => server.listCalls.pods === 2);

  // WHEN it happens again and this time the answer is HTTP 410
  server.expiredMode = 'http410';
  server.compact();
  server.dropWatches();
  server.update('jobs', NS, name, jobCondition('Complete', 'CompletionsReached'));
  server.update('pods', NS, `${name}-0-x0`, (p) => {
    p['status'] = terminatedStatus(0);
  });
  // THEN the completion is still seen after the relist
  const end = await waitFor('the end', () => rec.ends[0]);
  expect(end.exitCode).toBe(0);
  expect(server.watchCalls.some((w) => w.kind === 'jobs' && w.answer === 'http-410')).toBe(true);
  expect(server.listCalls.jobs).toBeGreaterThanOrEqual(3);
});

test('a restarted controller re-adopts the Job by label and never creates a second one', async () => {
  // GIVEN a job started by a controller that then went away
  const first = await newExecutor();
  await first.start(request('ftjob-Adopt'), 0, new Recorder());
  await first.detachAll();
  const name = objectNames('ftjob-Adopt', 1).job;
  // (it died right after creating the Job: its spec ConfigMap is missing)
  server.remove('configmaps', NS, `${name}-spec`);
  // WHEN a new controller attaches, and also (a race) tries to start the job again
  const second = await newExecutor();
  const rec = new Recorder();
  expect(await second.attach(request('ftjob-Adopt'), 0, rec)).toBe(true);
  const third = await newExecutor();
  const ref = await third.start(request('ftjob-Adopt'), 0, new Recorder());
  // THEN both follow the existing Job: still one created, and its ConfigMap is back, owned by it
  expect(server.created('jobs')).toHaveLength(1);
  expect(server.get('configmaps', NS, `${name}-spec`)?.metadata.ownerReferences?.[0]?.uid).toBe(server.get('jobs', NS, name)?.metadata.uid);
  expect(JSON.parse(ref)).toMatchObject({ job: name, attempt: 1 });
  // AND the adopted run says so once, then follows the Job to its end
  await waitFor('the adoption notice', () => rec.messages().includes(`Following Kubernetes Job ${name} again after a controller restart (suspended)`));
  expect(rec.messages().filter((m) => m.startsWith('Waiting for Kueue'))).toEqual([]);
  server.admit(NS, name);
  server.addPod(NS, name, 0, RUNNING);
  await waitFor('running', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));
  // WHEN the trainer exits 2 (invalid data); the Job's Failed condition arrives before the pod's terminated state
  // (a pod log holds both streams: the trainer's stdout events and its stderr)
  const failedLine = JSON.stringify({ type: 'failed', time: 1, code: 'invalid_spec', message: 'learning_rate is not a spec field', param: 'learning_rate' });
  server.podLogs.set(`${name}-0-x0`, `${JSON.stringify({ type: 'progress', time: 0, step: 0, total_steps: 1, epoch: 0, tokens_per_second: null, eta_seconds: null })}\nloading data\n${failedLine}\nline 3: messages is missing`);
  server.update('jobs', NS, name, jobCondition('Failed', 'PodFailurePolicy', `Container trainer for pod ${NS}/${name}-0-x0 failed with exit code 2 matching FailJob rule at index 0`));
  server.update('pods', NS, `${name}-0-x0`, (p) => {
    p['status'] = terminatedStatus(2);
  });
  // THEN the exit is reported with the pod's last log lines, events split off, a stdout-only failure as the failure
  const end = await waitFor('the end', () => rec.ends[0]);
  expect(end).toEqual({ exitCode: 2, logTail: 'loading data\nline 3: messages is missing', failure: { code: 'invalid_spec', message: 'learning_rate is not a spec field', param: 'learning_rate' } });
  // AND attaching to a job whose Job has ended reports the end at once
  const late = new Recorder();
  expect(await (await newExecutor()).attach(request('ftjob-Adopt'), 0, late)).toBe(false);
  expect((await waitFor('the late end', () => late.ends[0])).exitCode).toBe(2);
});

test.each([
  [
    'OOMKilled',
    'out_of_memory',
    (name: string, pod: string) => {
      server.update('pods', NS, pod, (p) => {
        p['status'] = terminatedStatus(137, 'OOMKilled');
      });
      server.update('jobs', NS, name, jobCondition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'));
    },
    (_name: string, pod: string) => `The trainer ran out of host memory (OOMKilled in pod ${pod}, memory limit 25Gi) on pool a10g; use a pool with more memory per GPU, a smaller batch size or context length.`,
  ],
  [
    'deadline exceeded',
    'deadline_exceeded',
    (name: string) => server.update('jobs', NS, name, jobCondition('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')),
    () => 'The job ran longer than its deadline (activeDeadlineSeconds 3600) and was stopped; its last checkpoint is kept.',
  ],
] as const)('%s fails the job with code %s', async (_what, code, act, message) => {
  // GIVEN a running job with a one-hour deadline
  const executor = await newExecutor({ settings: { ...settings, activeDeadlineSeconds: 3600 } });
  const rec = new Recorder();
  await executor.start(request('ftjob-Fail'), 0, rec);
  const name = objectNames('ftjob-Fail', 1).job;
  server.admit(NS, name);
  const pod = server.addPod(NS, name, 0, RUNNING);
  await waitFor('running', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));
  // WHEN Kubernetes ends it
  act(name, pod);
  // THEN the job fails with a platform code and a message that says what to do
  const end = await waitFor('the end', () => rec.ends[0]);
  expect(rec.allEvents()).toEqual([expect.objectContaining({ type: 'failed', code, message: message(name, pod), param: null })]);
  expect(end.exitCode).toBeNull();
});

test('an image that cannot be pulled: a warning at once, the job failed and its Job deleted after the timeout', async () => {
  // GIVEN a 5-minute pull timeout and an admitted Job whose pod cannot pull the trainer image
  const executor = await newExecutor({ imagePullTimeoutMs: 300_000 });
  const rec = new Recorder();
  await executor.start(request('ftjob-Pull'), 0, rec);
  const name = objectNames('ftjob-Pull', 1).job;
  server.admit(NS, name);
  const waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${settings.trainerImage}"` };
  server.addPod(NS, name, 0, { phase: 'Pending', containerStatuses: [{ name: 'trainer', image: settings.trainerImage, ready: false, restartCount: 0, imageID: '', state: { waiting } }] });
  // THEN a warning names the image and the reason
  const warn = `The trainer image ${settings.trainerImage} cannot be pulled (ImagePullBackOff): Back-off pulling image "${settings.trainerImage}"`;
  await waitFor('the pull warning', () => rec.messages().includes(warn));
  expect(rec.notices.find((n) => n.message === warn)?.level).toBe('warn');
  expect(rec.ends).toEqual([]);
  // WHEN five minutes pass without a pull
  clock += 300_000;
  // THEN the job fails and the Job is deleted (it would hold its quota forever)
  const end = await waitFor('the end', () => rec.ends[0]);
  expect(rec.allEvents()).toEqual([
    expect.objectContaining({ type: 'failed', code: 'image_pull_failed', message: `The trainer image ${settings.trainerImage} could not be pulled (ImagePullBackOff for 300 s): Back-off pulling image "${settings.trainerImage}"` }),
  ]);
  expect(end.exitCode).toBeNull();
  expect(server.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.query['propagationPolicy']])).toEqual([[`/apis/batch/v1/namespaces/${NS}/jobs/${name}`, 'Background']]);
});

test('a pool the platform does not have fails the job before any Job is created', async () => {
  const executor = await newExecutor();
  const rec = new Recorder();
  const req = request('ftjob-Pool', 'meta-llama/Llama-3.1-8B-Instruct', { type: 'lora', r: 16, alpha: 32, dropout: 0.05, target_modules: 'all-linear', pool: 'h200' } as RunRequest['spec']['adapter']);
  await executor.start(req, 0, rec);
  // (told after start() returns: a supervisor may call start() while holding the job's lock)
  expect(rec.events).toEqual([]);
  await waitFor('the end', () => rec.ends[0]);
  expect(rec.allEvents()).toEqual([expect.objectContaining({ type: 'failed', code: 'invalid_pool', param: 'adapter.pool', message: `Invalid 'adapter.pool': "h200" is not a GPU pool of this platform; allowed: a10g, l40s-x4, h100.` })]);
  expect(server.created('jobs')).toEqual([]);
});

test('a watch that fails (HTTP 500) is retried from its resourceVersion and the run keeps following', async () => {
  // GIVEN an executor made by the platform's synchronous factory (it connects on first use) following a job
  const executor = KubernetesExecutor.factory({ settings, pollMs: 40, watchRetryMs: 40, now: () => clock }, { kubeConfig })(storage, silentLogger);
  executors.push(executor);
  const rec = new Recorder();
  await executor.start(request('ftjob-Flaky'), 0, rec);
  const name = objectNames('ftjob-Flaky', 1).job;
  await waitFor('both watches', () => server.openWatches('jobs') === 1 && server.openWatches('pods') === 1);
  // WHEN the watches drop and the next two watch requests fail
  server.failNextWatches = 2;
  server.dropWatches();
  server.admit(NS, name);
  // THEN the informers retry, resume, and the change arrives without a relist
  await waitFor('the admitted notice', () => rec.messages().includes(`Kueue admitted Kubernetes Job ${name}; starting its pods on pool a10g`));
  expect(server.watchCalls.filter((w) => w.answer === 'http-500')).toHaveLength(2);
  expect(server.listCalls.jobs).toBe(2);
});

test('Kueue taking the quota back, an unschedulable pod and a node deleted with its pods are told apart', async () => {
  const executor = await newExecutor({ maxPreemptions: 5 });
  const rec = new Recorder();
  await executor.start(request('ftjob-Kueue'), 0, rec);
  const name = objectNames('ftjob-Kueue', 1).job;
  server.admit(NS, name);
  // WHEN the pod waits for a node (the autoscaler adds one)
  const pod = server.addPod(NS, name, 0, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 node(s) didn\'t match Pod\'s node affinity/selector.' }] });
  // THEN a notice says why
  await waitFor('the unschedulable notice', () => rec.messages().includes("Waiting for a node of pool a10g: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector."));
  // WHEN it runs, and Kueue then suspends the Job to give its quota to another workload
  server.update('pods', NS, pod, (p) => {
    p['status'] = RUNNING;
  });
  await waitFor('running', () => rec.messages().includes(`Trainer running (Kubernetes Job ${name})`));
  server.remove('pods', NS, pod);
  server.update('jobs', NS, name, (j) => {
    (j['spec'] as { suspend: boolean }).suspend = true;
  });
  // THEN that is a re-queue, not an end
  await waitFor('the requeue notice', () => rec.messages().includes(`Kueue suspended Kubernetes Job ${name} to free quota; it resumes from its last checkpoint when admitted again`));
  expect(rec.ends).toEqual([]);
  // WHEN it is admitted again and its node is then deleted with the pod on it (no pod left to look at)
  server.admit(NS, name);
  await waitFor('admitted again', () => rec.messages().filter((m) => m.startsWith(`Kueue admitted Kubernetes Job ${name}`)).length === 2);
  server.update('jobs', NS, name, jobCondition('Failed', 'PodFailurePolicy', `Pod ${NS}/${name}-0-x9 has condition DisruptionTarget matching FailJob rule at index 1`));
  // THEN the pod failure policy's message is enough to call it a preemption and resubmit
  const next = objectNames('ftjob-Kueue', 2).job;
  await waitFor('attempt 2', () => server.get('jobs', NS, next));
  expect(rec.messages()).toContain(`Node preempted (Pod ${NS}/${name}-0-x9 has condition DisruptionTarget matching FailJob rule at index 1); resubmitting to resume from the last checkpoint (preemption 1 of at most 5)`);
  expect(rec.ends).toEqual([]);
});

test('a trainer stopped at a checkpoint ends with exit 75; starting the job again creates the next attempt, once', async () => {
  // GIVEN a run whose trainer got SIGTERM from outside (not a cancel) and exited 75
  const executor = await newExecutor();
  const rec = new Recorder();
  await executor.start(request('ftjob-Again'), 0, rec);
  const name = objectNames('ftjob-Again', 1).job;
  server.admit(NS, name);
  const pod = server.addPod(NS, name, 0, terminatedStatus(75));
  server.update('jobs', NS, name, jobCondition('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'));
  // THEN the run ends with exit 75 (the supervisor resumes it)
  expect(await waitFor('the end', () => rec.ends[0])).toEqual({ exitCode: 75, logTail: '' });
  expect(pod).toBe(`${name}-0-x0`);
  // WHEN the supervisor starts it again, twice (a retry after a timeout)
  const again = new Recorder();
  const ref = await executor.start(request('ftjob-Again'), 0, again);
  expect(await executor.start(request('ftjob-Again'), 0, again)).toBe(ref);
  // THEN attempt 2 exists once, with the preemption count carried over
  expect(JSON.parse(ref)).toMatchObject({ job: objectNames('ftjob-Again', 2).job, attempt: 2 });
  expect(server.created('jobs').map((j) => j.metadata.name)).toEqual([name, objectNames('ftjob-Again', 2).job]);
});
