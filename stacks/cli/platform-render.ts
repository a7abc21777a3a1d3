import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PLATFORM_NAMESPACE } from '../../constructs/platform';
import type { CliIo } from './io';
import { vpctuneChartDir } from './platform-chart';
import { platformValues, type PlatformValuesOptions } from './platform-values';
import { ExitCode, UsageError } from './usage-error';

/** Where to find `helm`: the flag, then VPCTUNE_HELM, then PATH. */
export interface HelmLookup {
  /** `--helm PATH`. @default none */
  readonly flag?: string;
  /** The environment (VPCTUNE_HELM, PATH). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const HELM_INSTALL_HINT = 'install Helm 3.8 or later (https://helm.sh/docs/intro/install/) and put it on PATH, or name the binary with --helm PATH or VPCTUNE_HELM';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The helm binary to run; a named one that is not an executable file, or none on PATH, is an error saying what to install. */
export function findHelm(lookup: HelmLookup = {}): string {
  const env = lookup.env ?? process.env;
  const named: Array<[string, string | undefined]> = [['--helm', lookup.flag], ['VPCTUNE_HELM', env['VPCTUNE_HELM']]];
  for (const [source, file] of named) {
    if (file === undefined || file === '') continue;
    if (!isExecutable(file)) throw new UsageError(`${source} ${file}: not an executable file; ${HELM_INSTALL_HINT}`);
    return file;
  }
  for (const dir of (env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '')) {
    const file = path.join(dir, 'helm');
    if (isExecutable(file)) return file;
  }
  throw new Error(`helm not found on PATH: platform render runs \`helm template\` on the vpctune chart; ${HELM_INSTALL_HINT}`);
}

/** `helm template` of the vpctune chart with `values`, for Kubernetes `kubeVersion`; helm's own failure is reported with its message. */
export function helmTemplate(helm: string, values: Record<string, unknown>, kubeVersion: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-values-'));
  try {
    const file = path.join(dir, 'values.json');
    fs.writeFileSync(file, JSON.stringify(values));
    const args = ['template', 'vpctune', vpctuneChartDir(), '--namespace', PLATFORM_NAMESPACE, '--kube-version', `v${kubeVersion}.0`, '-f', file];
    const r = spawnSync(helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.error !== undefined) throw new Error(`${helm} could not be run (${r.error.message}); ${HELM_INSTALL_HINT}`);
    if (r.status !== 0) throw new Error(`helm template failed (exit ${r.status}): ${r.stderr.trim()}`);
    return r.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `vpctune platform render --config FILE [--outputs outputs.json] [--identity SA=VALUE ...] [--helm PATH]`: the
 * manifests the chart installs for this platform (`helm template` with the values of `platform values`), for review or
 * `kubectl apply`. Needs a helm binary (the flag, VPCTUNE_HELM or PATH).
 */
export async function runPlatformRender(options: PlatformValuesOptions & HelmLookup, io: CliIo): Promise<number> {
  // the config, outputs and flags first: their errors are the user's to fix whichever machine runs this
  const { config, values } = platformValues(options);
  const helm = findHelm(options);
  io.stdout.write(helmTemplate(helm, values, config.kubernetes.version));
  return ExitCode.OK;
}
