import * as path from 'node:path';
import { runningControllerAdmin } from '../platform/admin-client';
import { importBaseModel } from '../platform/model-registry';
import { LocalDirectoryStorage } from '../storage/local-directory-storage';
import { openStoreWithoutController } from '../store/open-store';
import { parseArgs, runCommand, stringFlag, UsageError } from './args';
import { defaultDataDir } from './local-setup';

const USAGE = 'usage: vpctune models import --id ID --from DIR [--data-dir DIR] [--database-url URL]';

/** `vpctune models import`: copies base weights into storage and registers them, so clusters never need a model hub. */
export function runModels(args: readonly string[]): Promise<number> {
  return runCommand('models', async () => {
    const { flags, positionals } = parseArgs(args, ['id', 'from', 'data-dir', 'database-url']);
    if (positionals[0] !== 'import') throw new UsageError(`expected import, got ${positionals[0] ?? 'nothing'}\n${USAGE}`);
    const id = stringFlag(flags, 'id');
    const from = stringFlag(flags, 'from');
    if (id === undefined || from === undefined) throw new UsageError(`models import needs --id and --from\n${USAGE}`);
    const dataDir = path.resolve(stringFlag(flags, 'data-dir') ?? defaultDataDir('local'));
    const databaseUrl = stringFlag(flags, 'database-url') ?? process.env['VPCTUNE_DATABASE_URL'];
    const admin = databaseUrl === undefined ? runningControllerAdmin(dataDir) : undefined;
    if (admin !== undefined) {
      await admin('/admin/models/import', { id, from: path.resolve(from) });
      process.stdout.write(`registered base model ${id} (through the running controller)\n`);
      return 0;
    }
    const store = await openStoreWithoutController({ dataDir, ...(databaseUrl !== undefined ? { databaseUrl } : {}) });
    try {
      await importBaseModel(store, new LocalDirectoryStorage(path.join(dataDir, 'storage')), id, path.resolve(from), Math.floor(Date.now() / 1000));
      process.stdout.write(`registered base model ${id}\n`);
      return 0;
    } finally {
      await store.close();
    }
  });
}
