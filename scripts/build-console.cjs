#!/usr/bin/env node
/**
 * Builds the web console (images/controller/console) into dist/console: app.js (TypeScript and uPlot bundled and
 * minified by esbuild), app.css (the console's styles and uPlot's), index.html. Type-checks the console first
 * (its own tsconfig: DOM types). Prints each file's size, raw and gzipped. Part of `npm run build`; the controller
 * serves the result (images/controller/src/console). Nothing is fetched at build or run time.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const esbuild = require('esbuild');

const repo = path.resolve(__dirname, '..');
const source = path.join(repo, 'images', 'controller', 'console');
const defaultOut = path.join(repo, 'dist', 'console');

function typecheck() {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(source, 'tsconfig.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build-console: the console does not type-check (see above)');
}

/** Builds into `out` (default dist/console; tests may build a private copy elsewhere); returns each file's sizes. */
function build(out = defaultOut) {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const common = { bundle: true, minify: true, legalComments: 'none', logLevel: 'warning', absWorkingDir: repo };
  esbuild.buildSync({ ...common, entryPoints: [path.join(source, 'src', 'main.ts')], outfile: path.join(out, 'app.js'), platform: 'browser', format: 'iife', target: ['es2020'] });
  esbuild.buildSync({ ...common, entryPoints: [path.join(source, 'styles.css')], outfile: path.join(out, 'app.css') });
  fs.copyFileSync(path.join(source, 'index.html'), path.join(out, 'index.html'));
  const sizes = ['index.html', 'app.js', 'app.css'].map((f) => {
    const body = fs.readFileSync(path.join(out, f));
    return { file: f, raw: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length };
  });
  for (const s of sizes) process.stdout.write(`build-console: ${path.relative(repo, path.join(out, s.file))} ${s.raw} bytes (${s.gzip} gzip)\n`);
  return sizes;
}

if (require.main === module) {
  if (!process.argv.includes('--no-typecheck')) typecheck();
  build();
}

module.exports = { build, typecheck };
