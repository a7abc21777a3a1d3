/**
 * The npm package as a consumer gets it: `npm pack` of the built package, installed into a cdktf app of its own in a
 * temporary folder outside the repository (its own package.json; cdktf, constructs and the AWS provider come from the
 * tarball's dependencies). The app (test/package/consumer-app) composes AwsPlatform with a GPU pool from the catalog
 * and a bucket of its own, is type-checked against the shipped declarations (cdktf's default classic resolution, which
 * reads typesVersions, and Node's resolution, which reads exports), synthesized, and checked by the package's policy
 * rules. The installed `vpctune` command runs the compiled CLI with production dependencies only.
 * Installs prefer the local npm cache (`npm ci` filled it); the registry is asked only for what the cache lacks.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'consumer-app');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
};

/** The child processes get no npm_* variables from an enclosing `npm test`, so npm acts as it would for a user. */
const ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_'))),
  CHECKPOINT_DISABLE: '1',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], cwd: string): Run {
  const r = spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mustRun(cmd: string, args: readonly string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The TypeScript sources the build ships (tsconfig.build.json: library, stacks and CLI, controller; no tests). */
function shippedSources(rel: string): string[] {
  return fs.readdirSync(path.join(REPO, rel), { withFileTypes: true }).flatMap((e) => {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) return e.name === 'test' || e.name === 'node_modules' ? [] : shippedSources(child);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [child] : [];
  });
}

function filesUnder(rel: string, keep: (name: string) => boolean): string[] {
  return fs.readdirSync(path.join(REPO, rel), { withFileTypes: true }).flatMap((e) => {
    const child = `${rel}/${e.name}`;
    if (e.isDirectory()) return e.name === '__pycache__' || e.name.endsWith('.egg-info') ? [] : filesUnder(child, keep);
    return keep(e.name) ? [child] : [];
  });
}

/** The built web console that `vpctune up` and `serve` serve (scripts/build-console.cjs). */
const CONSOLE_FILES = ['dist/console/app.css', 'dist/console/app.js', 'dist/console/index.html'];

let work: string;
let app: string;
let tarballFiles: string[];

beforeAll(() => {
  // GIVEN the package built (an up-to-date build is skipped) and packed into a folder outside the repository
  mustRun(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], REPO);
  // the web console too when it is not built (npm run build builds it; rebuilding it here would pull it from under the
  // console tests that may be serving it beside this one)
  if (!CONSOLE_FILES.every((f) => fs.existsSync(path.join(REPO, f)))) mustRun(process.execPath, [path.join('scripts', 'build-console.cjs')], REPO);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-consumer-'));
  // --ignore-scripts: prepack would delete dist/, which the CLI tests running beside this one load; it was just built.
  const packed = JSON.parse(mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = path.join(work, (packed[0] as { filename: string }).filename);
  tarballFiles = (packed[0] as { files: { path: string }[] }).files.map((f) => f.path).sort();
  // AND a cdktf app of its own that depends on the tarball (and on TypeScript to compile itself), nothing else
  app = path.join(work, 'app');
  fs.mkdirSync(app);
  for (const f of fs.readdirSync(FIXTURE)) fs.copyFileSync(path.join(FIXTURE, f), path.join(app, f));
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'consumer-app', version: '1.0.0', private: true }, null, 2)}\n`);
  mustRun('npm', ['install', '--prefer-offline', '--loglevel=error', tarball], app);
  mustRun('npm', ['install', '--prefer-offline', '--loglevel=error', '--save-dev', `typescript@${pkg.devDependencies['typescript']}`, `@types/node@${pkg.devDependencies['@types/node']}`], app);
}, 900_000);

afterAll(() => {
  if (work !== undefined) fs.rmSync(work, { recursive: true, force: true });
});

describe('the vpctune npm package', () => {
  test('the tarball holds the compiled library and CLI with declarations and source maps, the files the CLI runs, and no sources or tests', () => {
    // GIVEN what the package must hold: each shipped module compiled, the bin, the trainer sources the local platform
    // installs, the trainer environment script, the example configs, README and LICENSE
    const compiled = ['constructs', 'stacks', 'images/controller/src']
      .flatMap(shippedSources)
      .flatMap((ts) => ['.js', '.js.map', '.d.ts'].map((ext) => `dist/${ts.replace(/\.ts$/, ext)}`));
    const runtime = [
      'package.json',
      'README.md',
      'LICENSE',
      ...Object.values(pkg.bin),
      'scripts/ensure-trainer-env.cjs',
      'images/trainer/pyproject.toml',
      'images/trainer/requirements-cpu.txt',
      ...filesUnder('images/trainer/src', (n) => n.endsWith('.py')),
      ...filesUnder('stacks/examples', () => true),
    ];
    const exportTargets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : [t.types, t.default])).map((t) => t.replace(/^\.\//, ''));
    const typesTargets = Object.values(pkg.typesVersions['*'] ?? {}).flat();
    expect(compiled.length).toBeGreaterThan(300);
    // THEN every one of them is in the tarball
    expect([...compiled, ...runtime, ...exportTargets, ...typesTargets].filter((f) => !tarballFiles.includes(f))).toEqual([]);
    expect(tarballFiles).toContain('dist/stacks/cli/main.js');
    expect(tarballFiles).toContain('images/trainer/src/vpctune_trainer/__main__.py');
    // AND the web console, built: its three files and nothing else of it
    expect(tarballFiles.filter((f) => f.startsWith('dist/console/'))).toEqual(CONSOLE_FILES);
    // AND nothing a consumer does not run: no TypeScript sources, tests, build info, Python caches or trainer tests
    const unwanted = tarballFiles.filter(
      (f) =>
        (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
        /(^|\/)(test|tests)\//.test(f) ||
        f.includes('.tsbuildinfo') ||
        f.includes('__pycache__') ||
        f.endsWith('.pyc'),
    );
    expect(unwanted).toEqual([]);
  });

  test('the app resolves cdktf, constructs and the AWS provider from the tarball dependencies installed in its own folder', () => {
    // GIVEN the app's package.json after the installs
    const own = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    // THEN it depends on vpctune alone (a file: tarball) and cdktf, constructs and the provider resolve inside it
    expect(Object.keys(own.dependencies)).toEqual(['vpctune']);
    expect(own.dependencies['vpctune']).toMatch(/^file:.*vpctune-0\.1\.0\.tgz$/);
    for (const dep of ['cdktf', 'constructs', '@cdktf/provider-aws/lib/s3-bucket', 'vpctune/aws']) {
      const resolved = fs.realpathSync(require.resolve(dep, { paths: [app] }));
      expect({ dep, inApp: resolved.startsWith(fs.realpathSync(app) + path.sep) }).toEqual({ dep, inApp: true });
    }
    // AND tsx, which the package no longer needs at run time, is not installed
    expect(fs.existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
  });

  test('the app type-checks against the shipped declarations, with cdktf-default classic resolution and with Node resolution', () => {
    // WHEN tsc compiles it as `cdktf init` sets it up (classic resolution: typesVersions) and checks it with nodenext (exports)
    const tsc = path.join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const classic = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    const nodenext = run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], app);
    // THEN both pass with no diagnostics
    expect({ status: classic.status, out: classic.stdout }).toEqual({ status: 0, out: '' });
    expect({ status: nodenext.status, out: nodenext.stdout }).toEqual({ status: 0, out: '' });
    expect(fs.existsSync(path.join(app, 'main.js'))).toBe(true);
  });

  test('the app synthesizes the platform, the pool it added and its own bucket, and the policy rules find nothing', () => {
    // WHEN the compiled app synthesizes and vpctune/policy checks the result
    mustRun(process.execPath, ['main.js', 'cdktf.out'], app);
    const stackFile = path.join(app, 'cdktf.out', 'stacks', 'consumer', 'cdk.tf.json');
    const stack = JSON.parse(fs.readFileSync(stackFile, 'utf8')) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const findings = run(process.execPath, ['policy-check.js', stackFile], app);
    // THEN the added pool is a node group of the 1-GPU L40S shape the catalog names, labelled with its pool name
    const pools = Object.values(stack.resource['aws_eks_node_group'] ?? {}).filter((g) => (g['labels'] as Record<string, string> | undefined)?.['vpctune.dev/pool'] === 'extra');
    expect(pools.map((g) => ({ instance_types: g['instance_types'], capacity_type: g['capacity_type'], scaling_config: g['scaling_config'] }))).toEqual([
      { instance_types: ['g6e.2xlarge'], capacity_type: 'ON_DEMAND', scaling_config: { desired_size: 0, max_size: 2, min_size: 0 } },
    ]);
    // AND the config's GPU pool and the system pool are there too
    expect(Object.values(stack.resource['aws_eks_node_group'] ?? {}).map((g) => (g['labels'] as Record<string, string> | undefined)?.['vpctune.dev/pool']).sort()).toEqual(['a10g', 'extra', 'system']);
    // AND the app's own bucket is there, encrypted with the platform's artifact key
    const buckets = Object.values(stack.resource['aws_s3_bucket'] ?? {}).map((b) => b['bucket_prefix']);
    expect(buckets.sort()).toEqual(['consumer-artifacts-', 'consumer-team-logs-']);
    const keyIds = Object.keys(stack.resource['aws_kms_key'] ?? {}).filter((k) => k.includes('artifacts'));
    expect(keyIds.length).toBe(1);
    const sse = Object.entries(stack.resource['aws_s3_bucket_server_side_encryption_configuration'] ?? {}).find(([id]) => id.startsWith('team-logs'))?.[1];
    expect(sse?.['rule']).toEqual([{ apply_server_side_encryption_by_default: { kms_master_key_id: `\${aws_kms_key.${keyIds[0]}.arn}`, sse_algorithm: 'aws:kms' } }]);
    // AND the policy rules report no finding
    expect({ status: findings.status, stdout: findings.stdout, stderr: findings.stderr }).toEqual({ status: 0, stdout: '[]\n', stderr: 'policy: no findings\n' });
  });

  test('the installed vpctune command runs the compiled CLI with production dependencies only', () => {
    // WHEN the command the package installs asks for help and validates a bundled example
    const bin = path.join(app, 'node_modules', '.bin', 'vpctune');
    const help = run(bin, ['--help'], app);
    const validate = run(bin, ['validate', '--config', 'node_modules/vpctune/stacks/examples/aws-small.json'], app);
    // THEN both succeed
    expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: vpctune <command>/i);
    for (const command of ['validate', 'synth', 'platform', 'estimate', 'up', 'serve', 'demo']) expect(help.stdout).toContain(`  ${command} `);
    expect({ status: validate.status, stderr: validate.stderr }).toEqual({ status: 0, stderr: '' });
    expect(validate.stdout).toContain('node_modules/vpctune/stacks/examples/aws-small.json: valid (aws eu-west-1');
  });
});
