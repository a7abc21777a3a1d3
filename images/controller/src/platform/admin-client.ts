import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLiveProcess } from '../executor/process-probe';
import { ADMIN_TOKEN, CONTROLLER_INFO } from './platform';

export type AdminCall = (pathName: string, body: Readonly<Record<string, unknown>>) => Promise<unknown>;

/** If a live controller owns `dataDir`, a function that calls its admin API; otherwise undefined (use the store). */
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
    if (!res.ok) throw new Error(out.error?.message ?? `HTTP ${res.status}`);
    return out;
  };
}
