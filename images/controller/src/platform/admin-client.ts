import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../../../stacks/cli/usage-error';
import { isLiveProcess } from '../executor/process-probe';
import { ADMIN_TOKEN, CONTROLLER_INFO } from './platform';

export type AdminCall = (pathName: string, body: Readonly<Record<string, unknown>>) => Promise<unknown>;

/**
 * If a live controller owns `dataDir`, a function that calls its admin API; otherwise undefined (use the store). A 400
 * (bad input: the controller's message names the field and the value) becomes a UsageError, so the CLI prints that
 * reason and exits 2; other failures are errors with the status.
 */
export function runningControllerAdmin(dataDir: string): AdminCall | undefined {
  let info: { pid: number; url: string };
  let token: string;
  try {
    info = JSON.parse(fs.readFileSync(path.join(dataDir, CONTROLLER_INFO), 'utf8')) as { pid: number; url: string };
    token = fs.readFileSync(path.join(dataDir, ADMIN_TOKEN), 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!isLiveProcess(info.pid, '')) return undefined;
  return async (pathName, body) => {
    const res = await fetch(`${info.url}${pathName}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const out = (await res.json()) as { error?: { message: string } };
    if (res.status === 400 && out.error !== undefined) throw new UsageError(out.error.message);
    if (!res.ok) throw new Error(`the controller answered ${res.status}: ${out.error?.message ?? res.statusText}`);
    return out;
  };
}
