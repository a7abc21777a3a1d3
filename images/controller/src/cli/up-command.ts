import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonLogger } from '../ops/logger';
import { createApiKey, ensureApiKey } from '../platform/api-keys';
import { startPlatform } from '../platform/platform';
import { intFlag, parseArgs, runCommand, stringFlag, UsageError } from './args';
import { defaultDataDir, ensureTinyModel, trainerPython } from './local-setup';

const USAGE = 'usage: vpctune up --local [--port N] [--host H] [--data-dir DIR] [--database-url postgres://…] [--max-jobs N] [--project P]';

/**
 * `vpctune up --local`: the whole platform on this machine (embedded store, local storage, local executor) until
 * Ctrl-C. Uses VPCTUNE_API_KEY if set, else creates a key and prints it with the base URL.
 */
export function runUp(args: readonly string[]): Promise<number> {
  return runCommand('up', async () => {
    const { flags } = parseArgs(args, ['port', 'host', 'data-dir', 'database-url', 'max-jobs', 'project'], ['local']);
    if (flags['local'] !== true) throw new UsageError(`only --local is available here; cloud platforms are deployed with vpctune synth and terraform.\n${USAGE}`);
    const dataDir = path.resolve(stringFlag(flags, 'data-dir') ?? defaultDataDir('local'));
    const say = (line: string) => process.stderr.write(`[vpctune up] ${line}\n`);
    const python = trainerPython(say);
    fs.mkdirSync(dataDir, { recursive: true });
    const databaseUrl = stringFlag(flags, 'database-url') ?? process.env['VPCTUNE_DATABASE_URL'];
    const platform = await startPlatform({
      dataDir,
      ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      port: intFlag(flags, 'port', 8321),
      host: stringFlag(flags, 'host') ?? '127.0.0.1',
      trainer: { python },
      supervisor: { maxConcurrentJobs: intFlag(flags, 'max-jobs', 1, 1, 64) },
      log: jsonLogger((l) => process.stderr.write(l), (process.env['VPCTUNE_LOG_LEVEL'] as 'info' | undefined) ?? 'info'),
    });
    await ensureTinyModel(platform, python, say);
    const project = stringFlag(flags, 'project') ?? 'default';
    const now = Math.floor(Date.now() / 1000);
    const envKey = process.env['VPCTUNE_API_KEY'];
    let keyLine: string;
    if (envKey !== undefined && envKey !== '') {
      await ensureApiKey(platform.store, project, envKey, now);
      keyLine = 'API key:  $VPCTUNE_API_KEY';
    } else {
      keyLine = `API key:  ${(await createApiKey(platform.store, project, now)).key}  (project ${project}; shown once)`;
    }
    process.stdout.write(`vpctune local platform is up\n  base URL: ${platform.url}\n  ${keyLine}\n  data dir: ${dataDir}\n  store:    ${platform.store.kind}\n  Ctrl-C stops it (running jobs keep going and are picked up on the next start)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await platform.close();
    return 0;
  });
}
