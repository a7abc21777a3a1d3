import * as os from 'node:os';
import * as path from 'node:path';

/** The environment variable that names the local platform's data directory (overridden by `--data-dir`). */
export const DATA_DIR_ENV = 'VPCTUNE_DATA_DIR';

/**
 * The per-user default data directory of the local platform (`up --local`, `keys`, `models`) or of the demo:
 * `$XDG_DATA_HOME/vpctune/<kind>`, or `~/.local/share/vpctune/<kind>` when XDG_DATA_HOME is unset or relative (the
 * XDG rule). Always absolute, so every command finds the same store from any working directory.
 */
export function defaultDataDir(kind: 'local' | 'demo', env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'vpctune', kind);
}
