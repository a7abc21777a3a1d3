import * as path from 'node:path';
import { runningControllerAdmin } from '../platform/admin-client';
import { createApiKey, type CreatedKey } from '../platform/api-keys';
import { openStoreWithoutController } from '../store/open-store';
import { parseArgs, runCommand, stringFlag, UsageError } from './args';
import { defaultDataDir } from './local-setup';

const USAGE = 'usage: vpctune keys create --project P | vpctune keys revoke KEY_ID  [--data-dir DIR] [--database-url URL]';

/**
 * `vpctune keys create|revoke`: through the running controller's admin API when one owns the data directory (it
 * holds the embedded store), else on the store directly (also PostgreSQL).
 */
export function runKeys(args: readonly string[]): Promise<number> {
  return runCommand('keys', async () => {
    const { flags, positionals } = parseArgs(args, ['project', 'data-dir', 'database-url']);
    const [action, ...rest] = positionals;
    if (action !== 'create' && action !== 'revoke') throw new UsageError(`expected create or revoke, got ${action ?? 'nothing'}\n${USAGE}`);
    const databaseUrl = stringFlag(flags, 'database-url') ?? process.env['VPCTUNE_DATABASE_URL'];
    const dataDir = path.resolve(stringFlag(flags, 'data-dir') ?? defaultDataDir('local'));
    if (action === 'create' && stringFlag(flags, 'project') === undefined) throw new UsageError(`keys create needs --project P\n${USAGE}`);
    if (action === 'revoke' && rest.length === 0) throw new UsageError(`keys revoke needs KEY_ID (key-…)\n${USAGE}`);
    const admin = databaseUrl === undefined ? runningControllerAdmin(dataDir) : undefined;
    if (admin !== undefined) {
      if (action === 'create') {
        const created = (await admin('/admin/keys', { project: stringFlag(flags, 'project') })) as CreatedKey;
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(`key ${created.id} for project ${created.projectId}; store it now, it is not shown again\n`);
        return 0;
      }
      let code = 0;
      for (const id of rest) {
        if (((await admin('/admin/keys/revoke', { id })) as { revoked: boolean }).revoked) process.stdout.write(`revoked ${id}\n`);
        else {
          process.stderr.write(`no active key ${id}\n`);
          code = 1;
        }
      }
      return code;
    }
    const store = await openStoreWithoutController({ dataDir, ...(databaseUrl !== undefined ? { databaseUrl } : {}) });
    try {
      const now = Math.floor(Date.now() / 1000);
      if (action === 'create') {
        const project = stringFlag(flags, 'project') ?? '';
        const created = await createApiKey(store, project, now);
        process.stdout.write(`${created.key}\n`);
        process.stderr.write(`key ${created.id} for project ${project}; store it now, it is not shown again\n`);
        return 0;
      }
      let code = 0;
      for (const id of rest) {
        if (await store.revokeApiKey(id, now)) process.stdout.write(`revoked ${id}\n`);
        else {
          process.stderr.write(`no active key ${id}\n`);
          code = 1;
        }
      }
      return code;
    } finally {
      await store.close();
    }
  });
}
