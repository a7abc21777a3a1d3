import * as fs from 'node:fs';
import * as path from 'node:path';

/** The version in vpctune's package.json, found upwards from this file (works from the sources and from dist/). */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vpctune' && pkg.version !== undefined) return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`no vpctune package.json above ${from}`);
  }
}
