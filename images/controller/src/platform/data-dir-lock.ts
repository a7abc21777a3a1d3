import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLiveProcess } from '../executor/process-probe';

/**
 * One controller per data directory: `controller.pid` holds the owner's pid. A pid file whose process is gone
 * (kill -9) is taken over. Returns a release function.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'controller.pid');
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (pid !== process.pid && Number.isInteger(pid) && pid > 0 && isLiveProcess(pid, '')) {
      throw new Error(`another controller (pid ${pid}) is using ${dataDir}; stop it or pass another --data-dir`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof Error && err.message.startsWith('another controller')) throw err;
    }
  }
  fs.writeFileSync(file, `${process.pid}\n`);
  return () => {
    try {
      if (Number(fs.readFileSync(file, 'utf8').trim()) === process.pid) fs.rmSync(file);
    } catch {
      /* already gone */
    }
  };
}
