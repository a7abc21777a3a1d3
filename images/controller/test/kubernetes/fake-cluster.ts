/**
 * Plays, against fake-apiserver.ts, the cluster parts the Kubernetes executor relies on — Kueue (admits suspended
 * Jobs), the Job controller (one pod, Job conditions, foreground deletion once the pod is gone) and the kubelet (runs
 * the trainer, honours terminationGracePeriodSeconds) — with the controller tests' fake trainer as the container: the
 * pod's spec comes from the Job's ConfigMap, its bucket URIs are staged from the platform's blob storage into a local
 * directory, and the output directory is mirrored back every 50 ms (the real trainer mirrors at checkpoints).
 * A simulation from the documentation, not Kubernetes: single-node Jobs only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { LocalExecutorOptions } from '../../src/executor/local-executor';
import type { BlobStorage } from '../../src/storage/blob-storage';
import type { FakeApiServer, Obj } from './fake-apiserver';

interface Running {
  readonly pod: string;
  readonly child: ChildProcess;
  terminating: boolean;
  exited: Promise<number | null>;
}

export class FakeCluster {
  private storage: BlobStorage | undefined;
  private trainer: LocalExecutorOptions | undefined;
  private readonly started = new Set<string>();
  private readonly running = new Map<string, Running>();
  private stopped = false;

  constructor(
    private readonly server: FakeApiServer,
    private readonly namespace: string,
    private readonly bucketUri: string,
    private readonly stagingDir: string,
  ) {
    server.onChange((kind, _type, obj) => {
      if (kind === 'jobs' && !this.stopped) void this.onJob(obj).catch((err: unknown) => process.stderr.write(`fake cluster: ${String(err)}\n`));
    });
  }

  /** The platform's storage and the fake trainer's settings (known once the platform builds its executor). */
  use(storage: BlobStorage, trainer: LocalExecutorOptions): void {
    this.storage = storage;
    this.trainer = trainer;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.running.values()) r.child.kill('SIGKILL');
    await Promise.all([...this.running.values()].map((r) => r.exited));
  }

  private async onJob(job: Obj): Promise<void> {
    const name = job.metadata.name;
    const current = this.server.get('jobs', this.namespace, name);
    if (current === undefined) return;
    const spec = current['spec'] as { suspend?: boolean; template: { spec: { terminationGracePeriodSeconds?: number } } };
    if (current.metadata.deletionTimestamp !== undefined) {
      const r = this.running.get(name);
      if (r === undefined) this.server.finishForegroundDeletion(this.namespace, name);
      else if (!r.terminating) {
        r.terminating = true;
        r.child.kill('SIGTERM');
        const kill = setTimeout(() => r.child.kill('SIGKILL'), (spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000);
        await r.exited;
        clearTimeout(kill);
      }
      return;
    }
    if (spec.suspend === true) {
      this.server.admit(this.namespace, name);
      return;
    }
    const finished = ((current['status'] as { conditions?: unknown[] } | undefined)?.conditions ?? []).length > 0;
    if (finished || this.started.has(name)) return;
    this.started.add(name);
    await this.runPod(name);
  }

  private key(uri: string): string {
    const base = `${this.bucketUri.replace(/\/+$/, '')}/`;
    if (!uri.startsWith(base)) throw new Error(`${uri} is not under ${base}`);
    return uri.slice(base.length);
  }

  private async pull(key: string, local: string): Promise<void> {
    const storage = this.storage as BlobStorage;
    const keys = key.endsWith('/') ? (await storage.list(key)).map((rel) => [key + rel, path.join(local, rel)] as const) : [[key, local] as const];
    for (const [k, target] of keys) {
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await pipeline(await storage.get(k), fs.createWriteStream(target));
    }
  }

  private async runPod(jobName: string): Promise<void> {
    const storage = this.storage;
    const trainer = this.trainer;
    if (storage === undefined || trainer === undefined) throw new Error('FakeCluster.use() was not called');
    // The kubelet waits for the spec ConfigMap (the executor creates it right after the Job).
    let cm: Obj | undefined;
    for (let i = 0; i < 500 && !this.stopped && (cm = this.server.get('configmaps', this.namespace, `${jobName}-spec`)) === undefined; i += 1) await new Promise((r) => setTimeout(r, 10));
    if (cm === undefined) return; // the Job was deleted (its ConfigMap with it) or the cluster stopped
    const spec = JSON.parse((cm['data'] as Record<string, string>)['spec.json'] ?? '{}') as Record<string, unknown>;
    const dir = path.join(this.stagingDir, jobName);
    const local = (name: string): string => path.join(dir, name);
    await this.pull(this.key(spec['base_model'] as string), local('model'));
    await this.pull(this.key(spec['training_file'] as string), local('train.jsonl'));
    if (typeof spec['validation_file'] === 'string') await this.pull(this.key(spec['validation_file']), local('valid.jsonl'));
    const outKey = this.key(spec['output_dir'] as string);
    fs.mkdirSync(local('output'), { recursive: true });
    await this.pull(outKey, local('output'));
    // where the trainer publishes the servable weights (a bucket URI in the spec): staged locally, uploaded at exit
    const publishKey = typeof spec['publish_dir'] === 'string' ? this.key(spec['publish_dir']) : undefined;
    const localSpec = {
      ...spec,
      base_model: local('model'),
      training_file: local('train.jsonl'),
      ...(typeof spec['validation_file'] === 'string' ? { validation_file: local('valid.jsonl') } : {}),
      output_dir: local('output'),
      ...(publishKey !== undefined ? { publish_dir: local('publish') } : {}),
    };
    fs.writeFileSync(local('spec.json'), JSON.stringify(localSpec));

    if (this.stopped || this.server.get('jobs', this.namespace, jobName) === undefined) return; // deleted while staging
    const pod = this.server.addPod(this.namespace, jobName, 0, { phase: 'Running', containerStatuses: [{ name: 'trainer', image: 'fake', ready: true, restartCount: 0, imageID: '', state: { running: { startedAt: new Date().toISOString() } } }] });
    const child = spawn(trainer.python, ['-m', 'vpctune_trainer', 'run', '--spec', local('spec.json')], { env: { ...process.env, ...trainer.env, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const append = (d: Buffer): void => {
      log += d.toString();
      this.server.podLogs.set(pod, log);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    const sync = async (): Promise<void> => {
      if (fs.existsSync(local('output'))) await storage.putDirectory(outKey, local('output'));
      if (publishKey !== undefined && fs.existsSync(local('publish'))) await storage.putDirectory(publishKey, local('publish'));
    };
    let syncing = Promise.resolve();
    const mirror = setInterval(() => {
      syncing = syncing.then(sync).catch(() => undefined);
    }, 50);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 143))));
    const r: Running = { pod, child, terminating: false, exited };
    this.running.set(jobName, r);
    const code = await exited;
    clearInterval(mirror);
    await syncing;
    await sync();
    this.running.delete(jobName);
    if (this.stopped) return;
    this.server.update('pods', this.namespace, pod, (p) => {
      p['status'] = { phase: code === 0 ? 'Succeeded' : 'Failed', containerStatuses: [{ name: 'trainer', image: 'fake', ready: false, restartCount: 0, imageID: '', state: { terminated: { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' } } }] };
    });
    if (r.terminating || this.server.get('jobs', this.namespace, jobName)?.metadata.deletionTimestamp !== undefined) {
      this.server.finishForegroundDeletion(this.namespace, jobName);
      return;
    }
    this.server.update('jobs', this.namespace, jobName, (j) => {
      const condition =
        code === 0
          ? { type: 'Complete', status: 'True', reason: 'CompletionsReached' }
          : code === 2
            ? { type: 'Failed', status: 'True', reason: 'PodFailurePolicy', message: `Container trainer for pod ${this.namespace}/${pod} failed with exit code 2 matching FailJob rule at index 0` }
            : { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      j['status'] = { conditions: [condition] };
    });
  }
}
