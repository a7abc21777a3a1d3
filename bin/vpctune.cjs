#!/usr/bin/env node
// The `vpctune` command. Runs the TypeScript CLI through tsx so a fresh clone needs no build step.
'use strict';
const path = require('node:path');
require('tsx/cjs');
const { main } = require(path.join(__dirname, '..', 'stacks', 'cli', 'main.ts'));
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`vpctune: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
