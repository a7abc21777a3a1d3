/**
 * Finds what Terraform needs to run offline on this machine and returns the environment to run it with.
 *
 * - The terraform binary: `VPCTUNE_TERRAFORM` or `terraform` on PATH.
 * - The provider mirror: a directory laid out as Terraform's unpacked filesystem mirror
 *   (`<root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*`).
 *   `VPCTUNE_TF_MIRROR` names the root explicitly; otherwise a few usual roots are tried first, then a bounded
 *   `find` over the disk. Nothing here hard-codes a machine path into the repository: roots are discovered at run time.
 * - A CLI config (written into a fresh temp dir) that installs the AWS provider from that mirror only and never
 *   reaches the registry, exported as `TF_CLI_CONFIG_FILE`.
 *
 * The result is cached per process (discovery costs up to a few seconds when `find` has to run).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The provider address served from the mirror. */
export const AWS_PROVIDER_ADDRESS = 'registry.terraform.io/hashicorp/aws';

/** Raised when terraform or the provider mirror cannot be found; the message says what to install or set. */
export class TerraformSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerraformSetupError';
  }
}

/** One provider plugin found in a mirror. */
export interface ProviderMirror {
  /** The mirror root to give `filesystem_mirror.path` (the directory holding `registry.terraform.io`). */
  readonly root: string;
  /** Provider version directory found, e.g. `5.100.0`. */
  readonly version: string;
  /** Platform directory, e.g. `linux_amd64`. */
  readonly platform: string;
  /** The plugin executable. */
  readonly pluginPath: string;
}

export interface TerraformEnv {
  /** Absolute path (or PATH name) of the terraform executable. */
  readonly terraformBinary: string;
  /** e.g. `1.11.4`. */
  readonly terraformVersion: string;
  /** e.g. `linux_amd64`, as terraform reports it. */
  readonly platform: string;
  readonly mirror: ProviderMirror;
  /** The CLI config file written for this process. */
  readonly cliConfigFile: string;
  /**
   * The environment to spawn terraform with: the parent environment minus every `AWS_*` variable (tests never
   * reach a real account through a profile or keys) and every `TF_*` one but `TF_LOG*`, plus `TF_CLI_CONFIG_FILE`, `CHECKPOINT_DISABLE=1`,
   * `TF_IN_AUTOMATION=1`, `TF_INPUT=0` and `AWS_EC2_METADATA_DISABLED=true`.
   */
  readonly env: Readonly<Record<string, string>>;
}

export interface TerraformEnvOptions {
  /** Provider version the stacks pin. @default - the version `@cdktf/provider-aws` binds (its package.json) */
  readonly providerVersion?: string;
  /** Roots tried before searching the disk. @default - DEFAULT_CANDIDATE_ROOTS plus `~/.terraform.d/plugins` and friends */
  readonly candidateRoots?: readonly string[];
  /** Where the bounded `find` looks when no candidate root holds the plugin. @default ['/'] */
  readonly searchRoots?: readonly string[];
  /** `find -maxdepth` below each search root. @default 9 */
  readonly searchMaxDepth?: number;
  /** Time allowed for the disk search. @default 20000 ms */
  readonly searchTimeoutMs?: number;
}

/** Roots where a provider mirror usually lives; each is checked directly and one or two levels below. */
export const DEFAULT_CANDIDATE_ROOTS: readonly string[] = ['/opt', '/usr/share', '/usr/local/share', '/usr/local/lib', '/var/lib'];

function homeCandidateRoots(): string[] {
  const home = os.homedir();
  return [
    path.join(home, '.terraform.d', 'plugins'),
    path.join(home, '.terraform.d', 'plugin-cache'),
    path.join(home, '.local', 'share', 'terraform', 'plugins'),
    path.join(home, '.terraform.d'),
  ];
}

/** The AWS provider version that `@cdktf/provider-aws` binds; the synthesized stacks pin exactly this. */
export function boundAwsProviderVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('@cdktf/provider-aws/package.json') as { cdktf?: { provider?: { version?: string } } };
  const version = pkg.cdktf?.provider?.version;
  if (version === undefined) throw new TerraformSetupError('@cdktf/provider-aws/package.json does not name the provider version it binds (cdktf.provider.version)');
  return version;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function listDirs(p: string): string[] {
  try {
    return fs.readdirSync(p, { withFileTypes: true }).filter((d) => d.isDirectory() || d.isSymbolicLink()).map((d) => path.join(p, d.name));
  } catch {
    return [];
  }
}

/** Checks one mirror root: returns the plugin for (version, platform) if the root holds it. */
export function mirrorAt(root: string, version: string, platform: string): ProviderMirror | undefined {
  const dir = path.join(root, AWS_PROVIDER_ADDRESS, version, platform);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  const plugin = names.find((n) => n.startsWith('terraform-provider-aws_'));
  if (plugin === undefined || !isFile(path.join(dir, plugin))) return undefined;
  return { root, version, platform, pluginPath: path.join(dir, plugin) };
}

/**
 * Looks for the mirror: the explicit root (if given), then each candidate root and the directories one and two
 * levels below it, then a bounded `find`. Returns undefined when nothing holds the plugin.
 */
export function findProviderMirror(version: string, platform: string, options: TerraformEnvOptions = {}): ProviderMirror | undefined {
  const explicit = process.env['VPCTUNE_TF_MIRROR'];
  if (explicit !== undefined && explicit !== '') {
    const m = mirrorAt(explicit, version, platform);
    if (m === undefined) {
      throw new TerraformSetupError(
        `VPCTUNE_TF_MIRROR=${explicit} holds no ${path.join(AWS_PROVIDER_ADDRESS, version, platform)}/terraform-provider-aws_*`,
      );
    }
    return m;
  }
  const candidates = [...(options.candidateRoots ?? [...DEFAULT_CANDIDATE_ROOTS, ...homeCandidateRoots()])];
  for (const root of candidates) {
    const levels = [root, ...listDirs(root)];
    for (const r of [...levels, ...levels.slice(1).flatMap(listDirs)]) {
      const m = mirrorAt(r, version, platform);
      if (m !== undefined) return m;
    }
  }
  return searchDisk(version, platform, options);
}

function searchDisk(version: string, platform: string, options: TerraformEnvOptions): ProviderMirror | undefined {
  const roots = options.searchRoots ?? ['/'];
  const suffix = `/${AWS_PROVIDER_ADDRESS}/${version}/${platform}/terraform-provider-aws_*`;
  const args = [
    ...roots,
    '-maxdepth',
    String(options.searchMaxDepth ?? 9),
    '(',
    '-path',
    '/proc',
    '-o',
    '-path',
    '/sys',
    '-o',
    '-path',
    '/dev',
    '-o',
    '-name',
    'node_modules',
    '-o',
    '-name',
    '.git',
    ')',
    '-prune',
    '-o',
    '-type',
    'f',
    '-path',
    `*${suffix}`,
    '-print',
    '-quit',
  ];
  const res = spawnSync('find', args, { encoding: 'utf8', timeout: options.searchTimeoutMs ?? 20_000 });
  const hit = (res.stdout ?? '').split('\n').find((l) => l.trim() !== '');
  if (hit === undefined) return undefined;
  const root = hit.slice(0, hit.indexOf(`/${AWS_PROVIDER_ADDRESS}/`));
  return mirrorAt(root === '' ? '/' : root, version, platform);
}

interface TerraformVersionJson {
  readonly terraform_version: string;
  readonly platform: string;
}

function terraformBinary(): string {
  const explicit = process.env['VPCTUNE_TERRAFORM'];
  return explicit !== undefined && explicit !== '' ? explicit : 'terraform';
}

function probeTerraform(binary: string): TerraformVersionJson {
  const res = spawnSync(binary, ['version', '-json'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
  });
  if (res.error !== undefined || res.status !== 0) {
    const why = res.error !== undefined ? res.error.message : `exit ${res.status}: ${res.stderr.trim()}`;
    throw new TerraformSetupError(
      `terraform is not runnable (${binary}: ${why}); install Terraform >= 1.5 on PATH or set VPCTUNE_TERRAFORM to its path`,
    );
  }
  try {
    return JSON.parse(res.stdout) as TerraformVersionJson;
  } catch {
    throw new TerraformSetupError(`\`${binary} version -json\` printed no JSON: ${res.stdout.slice(0, 200)}`);
  }
}

/** Renders the CLI config text for a mirror root (exported for tests). */
export function cliConfigText(mirrorRoot: string): string {
  return [
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirrorRoot)}`,
    `    include = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    '  }',
    '  direct {',
    `    exclude = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    '  }',
    '}',
    'disable_checkpoint = true',
    '',
  ].join('\n');
}

let cached: { key: string; value: TerraformEnv } | undefined;

/**
 * Discovers terraform and the AWS provider mirror, writes the CLI config and returns the environment to run
 * terraform with. Throws TerraformSetupError with what is missing.
 *
 * A plugin cache (`TF_PLUGIN_CACHE_DIR`) is deliberately not set: from an unpacked mirror terraform links the
 * plugin into `.terraform/providers` (measured: `init` ~2 s either way), and a cache shared by parallel jest
 * workers is not safe for concurrent writes.
 */
export function terraformEnv(options: TerraformEnvOptions = {}): TerraformEnv {
  const version = options.providerVersion ?? boundAwsProviderVersion();
  const key = JSON.stringify({ ...options, version, mirror: process.env['VPCTUNE_TF_MIRROR'], bin: process.env['VPCTUNE_TERRAFORM'] });
  if (cached !== undefined && cached.key === key && fs.existsSync(cached.value.cliConfigFile)) return cached.value;

  const binary = terraformBinary();
  const probed = probeTerraform(binary);
  const mirror = findProviderMirror(version, probed.platform, options);
  if (mirror === undefined) {
    throw new TerraformSetupError(
      `no offline mirror of the AWS provider ${version} for ${probed.platform} found: looked for ` +
        `<root>/${AWS_PROVIDER_ADDRESS}/${version}/${probed.platform}/terraform-provider-aws_* under ` +
        `${(options.candidateRoots ?? [...DEFAULT_CANDIDATE_ROOTS, '~/.terraform.d']).join(', ')} and a disk search; ` +
        'set VPCTUNE_TF_MIRROR to the mirror root (the directory holding registry.terraform.io)',
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-tf-cli-'));
  const cliConfigFile = path.join(dir, 'terraform.tfrc');
  fs.writeFileSync(cliConfigFile, cliConfigText(mirror.root));

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('AWS_')) continue;
    if (k.startsWith('TF_') && k !== 'TF_LOG' && k !== 'TF_LOG_PATH' && k !== 'TF_LOG_PROVIDER') continue;
    env[k] = v;
  }
  Object.assign(env, {
    TF_CLI_CONFIG_FILE: cliConfigFile,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const value: TerraformEnv = {
    terraformBinary: binary,
    terraformVersion: probed.terraform_version,
    platform: probed.platform,
    mirror,
    cliConfigFile,
    env,
  };
  cached = { key, value };
  return value;
}

/** Like terraformEnv, but returns the reason instead of throwing (for `describe.skip`-style gating and messages). */
export function tryTerraformEnv(options: TerraformEnvOptions = {}): { env: TerraformEnv; error?: undefined } | { env?: undefined; error: string } {
  try {
    return { env: terraformEnv(options) };
  } catch (e) {
    if (e instanceof TerraformSetupError) return { error: e.message };
    throw e;
  }
}
