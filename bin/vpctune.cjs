#!/usr/bin/env node
// The `vpctune` command: the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs as `prepare`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'stacks', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write(`vpctune: ${path.relative(process.cwd(), entry) || entry} is missing; run \`npm run build\` (npm ci and npm install run it)\n`);
  process.exit(1);
}
const { main } = require(entry);
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`vpctune: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
