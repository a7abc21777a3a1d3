/**
 * Jest transform for the ESM-only packages the Kubernetes executor uses (`@kubernetes/client-node` 1.x and its ESM
 * dependencies, `kubernetes-models` in tests). jest 29's module loader runs CommonJS only (ESM needs
 * --experimental-vm-modules), so these files are rewritten to CommonJS with TypeScript's own transpiler. Production
 * never sees this: there, `import()` loads the real ES modules (see executor/kubernetes/client-loader.ts).
 */
'use strict';
const crypto = require('node:crypto');
const ts = require('typescript');

const OPTIONS = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  allowJs: true,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: false,
};

module.exports = {
  process(source, filename) {
    const out = ts.transpileModule(source, { compilerOptions: OPTIONS, fileName: filename.replace(/\.mjs$/, '.js') });
    return { code: out.outputText };
  },
  getCacheKey(source, filename) {
    return crypto.createHash('sha256').update('esm-to-cjs-v1\0').update(ts.version).update('\0').update(filename).update('\0').update(source).digest('hex');
  },
};
