/**
 * `vpctune serve`: the controller as it runs in the platform's cluster (the controller image's default command).
 * Flags are checked against the platform config before anything starts; the process test starts it for real with the
 * Kubernetes executor (which connects to the cluster only when a job needs it) and local storage mirrored by a bucket.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planServe, type ServeFlags } from '../src/cli/serve-command';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SKETCH = path.join(REPO, 'stacks', 'examples', 'design-sketch.yaml');
const AZURE = path.join(REPO, 'stacks', 'examples', 'azure-a100.yaml');
/** The flags' defaults, as the command declares them. */
const DEFAULTS: ServeFlags = { dataDir: '/data', host: '0.0.0.0', port: 8321, maxJobs: 64, maxJobsPerProject: 8, project: 'default' };
const flags = (given: Partial<ServeFlags>): ServeFlags => ({ ...DEFAULTS, ...given });

describe('vpctune serve: planning from flags and the platform config', () => {
  test('GIVEN nothing WHEN planned THEN every required setting is named with what is allowed', () => {
    expect(() => planServe(flags({}))).toThrow(
      [
        '--config (or VPCTUNE_CONFIG_FILE) is required: the platform config the stack was deployed from',
        '--storage (or VPCTUNE_STORAGE_URL) is required; allowed: s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX], file:///DIR or a directory path',
        '--trainer-image (or VPCTUNE_TRAINER_IMAGE) is required: the trainer image in the platform registry, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/trainer:0.1.0',
      ].join('\n'),
    );
  });

  test('GIVEN an unpinned trainer image WHEN planned THEN refused', () => {
    expect(() => planServe(flags({ config: SKETCH, storage: 's3://acme-artifacts', trainerImage: 'acme/trainer:latest' }))).toThrow(
      '--trainer-image "acme/trainer:latest" has no pinned tag or digest; allowed: IMAGE:TAG or IMAGE@sha256:DIGEST (not latest)',
    );
  });

  test('GIVEN GCS storage for an AWS platform WHEN planned THEN refused naming the cloud', () => {
    expect(() => planServe(flags({ config: SKETCH, storage: 'gs://acme-artifacts', trainerImage: 'acme/trainer:0.1.0' }))).toThrow(
      '--storage gs://acme-artifacts is not aws storage; platform acme-ft runs on aws: allowed s3://…',
    );
  });

  test('GIVEN local storage without a bucket WHEN planned THEN refused: trainer pods could not read it', () => {
    expect(() => planServe(flags({ config: SKETCH, storage: '/tmp/x', trainerImage: 'acme/trainer:0.1.0' }))).toThrow(
      '--storage /tmp/x is local; trainer pods cannot read it: give --bucket-uri s3://BUCKET that mirrors it, or use s3:// storage',
    );
  });

  test('GIVEN env settings for an AWS platform WHEN planned THEN S3 bucket, pools from the config, Kueue on, PostgreSQL URL', () => {
    const plan = planServe(flags({
      config: SKETCH,
      storage: 's3://acme-artifacts-123/vpctune',
      trainerImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/trainer:0.1.0',
      databaseUrl: 'postgres://vpctune@db/vpctune',
    }));
    expect(plan.settings.bucketUri).toBe('s3://acme-artifacts-123/vpctune');
    expect(plan.settings.pools.map((p) => p.name)).toEqual(['a10g', 'h100']);
    expect(plan.settings).toMatchObject({ namespace: 'vpctune', kueue: true, trainerImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme-ft/trainer:0.1.0' });
    expect(plan).toMatchObject({ databaseUrl: 'postgres://vpctune@db/vpctune', dataDir: '/data', host: '0.0.0.0', port: 8321, maxJobs: 64, maxJobsPerProject: 8 });
  });

  test('GIVEN Azure storage WHEN planned THEN the trainer gets the same account, container and prefix (the cloud profile\'s URL form)', () => {
    const plan = planServe(flags({ config: AZURE, storage: 'az://acmeft/artifacts/prod/', trainerImage: 'acme.azurecr.io/trainer@sha256:' + 'a'.repeat(64) }));
    expect(plan.settings).toMatchObject({ cloud: 'azure', bucketUri: 'az://acmeft/artifacts/prod' });
  });

  test('the controller image runs serve and documents the environment serve reads', () => {
    const dockerfile = fs.readFileSync(path.join(REPO, 'images', 'controller', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^CMD \["serve"\]$/m);
    for (const name of ['VPCTUNE_CONFIG_FILE', 'VPCTUNE_STORAGE_URL', 'VPCTUNE_TRAINER_IMAGE', 'VPCTUNE_DATABASE_URL', 'VPCTUNE_API_KEY']) expect(dockerfile).toContain(name);
  });
});

describe('vpctune serve: the process', () => {
  test('GIVEN a platform config WHEN serve starts THEN health and the authenticated API answer, and SIGTERM stops it cleanly', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-serve-'));
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'bin', 'vpctune.cjs'), 'serve', '--config', SKETCH, '--storage', path.join(dir, 'storage'), '--bucket-uri', 's3://acme-artifacts', '--trainer-image', 'acme/trainer:0.1.0', '--data-dir', path.join(dir, 'data'), '--host', '127.0.0.1', '--port', '0'],
      {
        cwd: REPO,
        // The role per-job trainer credentials are minted from (IRSA sets AWS_ROLE_ARN in the cluster; named here)
        env: { ...process.env, VPCTUNE_API_KEY: 'sk-serve-test-key-0123456789', KUBECONFIG: path.join(dir, 'no-kubeconfig'), VPCTUNE_TRAINER_JOB_ROLE_ARN: 'arn:aws:iam::123456789012:role/vpctune-demo-vpctune-trainer-job' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const serving = new Promise<{ url: string; executor: string; storage: string }>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const line = stderr.split('\n').find((l) => l.includes('"serving"'));
        if (line !== undefined) resolve(JSON.parse(line) as { url: string; executor: string; storage: string });
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    try {
      const info = await serving;
      expect(info.executor).toBe('kubernetes');
      const base = info.url.replace(/\/v1$/, '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${info.url}/models`)).status).toBe(401);
      const models = await fetch(`${info.url}/models`, { headers: { Authorization: 'Bearer sk-serve-test-key-0123456789' } });
      expect(models.status).toBe(200);
      expect(await models.json()).toEqual({ object: 'list', data: [] });
    } finally {
      // (a serve that already exited has failed the test above; only a running one is stopped and checked)
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
      }
    }
  }, 60_000);
});
