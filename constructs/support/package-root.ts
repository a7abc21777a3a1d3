import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The vpctune package's root directory (the nearest folder above `fromDir` holding a package.json): the repository
 * when running from source, the installed package when running compiled code from `dist/`. Files that ship beside the
 * compiled code (scripts/, images/trainer/, stacks/examples/) are found from here, never by counting `..` from
 * `__dirname`, which differs between the two layouts.
 */
export function packageRoot(fromDir: string): string {
  let dir = path.resolve(fromDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json in ${fromDir} or any folder above it`);
    dir = parent;
  }
}
