import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../../../constructs/support/package-root';

/** Where `npm run build` (scripts/build-console.cjs) writes the console, under the package root. */
export const CONSOLE_ASSETS_DIR = path.join('dist', 'console');

/** The files the console is made of, by the URL path that serves them, with their content types. */
export const CONSOLE_FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly type: string;
}

/** Thrown when the console was not built: the message says where it looked and how to build it. */
export class ConsoleAssetsMissingError extends Error {}

/** The built console (`<package root>/dist/console` unless `dir` is given), read once into memory. */
export function loadConsoleAssets(dir: string = path.join(packageRoot(__dirname), CONSOLE_ASSETS_DIR)): ReadonlyMap<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  for (const [urlPath, { file, type }] of Object.entries(CONSOLE_FILES)) {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) throw new ConsoleAssetsMissingError(`the console is not built: ${full} is missing (npm run build builds it)`);
    assets.set(urlPath, { body: fs.readFileSync(full), type });
  }
  return assets;
}
