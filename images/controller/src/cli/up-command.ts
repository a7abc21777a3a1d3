import * as fs from 'node:fs';
import type { CliIo } from '../../../../stacks/cli/io';
import { UsageError } from '../../../../stacks/cli/usage-error';
import { jsonLogger, type LogLevel } from '../ops/logger';
import { createApiKey, ensureApiKey } from '../platform/api-keys';
import { startPlatform } from '../platform/platform';
import type { KeyStore } from '../store/store';
import { serveLocally } from '../serving/local-serving';
import { defaultConsolePort, startPlatformConsole } from '../console/platform-console';
import { ensureTinyModel, TINY_MODEL_ID, trainerPython } from './local-setup';

export interface UpOptions {
  /** Must be true: the platform on this machine (cloud platforms are deployed with synth and terraform). */
  readonly local: boolean;
  readonly port: number;
  readonly host: string;
  /** Absolute data directory (store, storage, logs). */
  readonly dataDir: string;
  /** PostgreSQL URL; the embedded SQLite store otherwise. @default none */
  readonly databaseUrl?: string;
  readonly maxJobs: number;
  /** The project of the key `up` creates on the first start. */
  readonly project: string;
  /** A key to make sure of (VPCTUNE_API_KEY) instead of creating one. @default none */
  readonly apiKey?: string;
  /** The web console's port; null: no console. @default the API port + 1 (a free port when the API's is 0) */
  readonly consolePort?: number | null;
}

/**
 * The `API key:` line: the given key is ensured; else the first start creates one and shows it once; later starts
 * keep the project's key (not shown again) and say how to make another.
 */
export async function apiKeyLine(keys: KeyStore, project: string, givenKey: string | undefined, nowSeconds: number): Promise<string> {
  if (givenKey !== undefined && givenKey !== '') {
    await ensureApiKey(keys, project, givenKey, nowSeconds);
    return 'API key:  $VPCTUNE_API_KEY';
  }
  const active = (await keys.listApiKeys(project)).filter((k) => k.revokedAt === null);
  const newest = active[active.length - 1];
  if (newest !== undefined) {
    return `API key:  project ${project} has ${active.length === 1 ? 'a key' : `${active.length} keys`} (newest ${newest.id}, ${newest.hint}); keys are shown only when made: vpctune keys create --project ${project} makes another`;
  }
  return `API key:  ${(await createApiKey(keys, project, nowSeconds)).key}  (project ${project}; shown once)`;
}

/**
 * `vpctune up --local`: the whole platform on this machine (embedded store, local storage, local executor) until
 * Ctrl-C. Uses VPCTUNE_API_KEY if set; else the first start creates a key and prints it with the base URL.
 */
export async function runUp(options: UpOptions, io: CliIo): Promise<number> {
  if (!options.local) throw new UsageError('only --local is available here; cloud platforms are deployed with vpctune synth and terraform');
  const say = (line: string) => io.stderr.write(`[vpctune up] ${line}\n`);
  const python = trainerPython(say);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const platform = await startPlatform({
    dataDir: options.dataDir,
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : {}),
    port: options.port,
    host: options.host,
    trainer: { python },
    supervisor: { maxConcurrentJobs: options.maxJobs },
    log: jsonLogger((l) => process.stderr.write(l), (process.env['VPCTUNE_LOG_LEVEL'] as LogLevel | undefined) ?? 'info'),
  });
  const consolePort = options.consolePort === undefined ? defaultConsolePort(platform.port) : options.consolePort;
  const webConsole = consolePort === null ? { off: 'off (--no-console)' } : await startPlatformConsole(platform, options.host, consolePort);
  if ('off' in webConsole && consolePort !== null) say(`the web console is off: ${webConsole.off}`);
  await ensureTinyModel(platform, python, say);
  const worker = await serveLocally(platform, python, TINY_MODEL_ID, options.dataDir).catch((err: unknown) => {
    say(`inference is off: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  // Ctrl-C is handled from before the line that offers it is printed.
  const stopRequested = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const keyLine = await apiKeyLine(platform.store, options.project, options.apiKey, Math.floor(Date.now() / 1000));
  io.stdout.write(
    `vpctune local platform is up\n  base URL: ${platform.url}\n  console:  ${'url' in webConsole ? `${webConsole.url}  (sign in with an API key)` : consolePort === null ? webConsole.off : 'off (see above)'}\n  ${keyLine}\n  data dir: ${options.dataDir}\n  store:    ${platform.store.kind}\n  serving:  ${worker === undefined ? 'off (see above)' : `${TINY_MODEL_ID} and its fine-tuned models on a CPU worker (pid ${worker.pid}): POST ${platform.url}/chat/completions`}\n  Ctrl-C stops it (running jobs keep going and are picked up on the next start)\n`,
  );
  await stopRequested;
  if ('close' in webConsole) await webConsole.close();
  await platform.close();
  await worker?.stop();
  return 0;
}
