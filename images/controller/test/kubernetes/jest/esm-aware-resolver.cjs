/**
 * Jest resolver: resolves like jest does, and when a package's `exports` has no CommonJS entry (ESM-only packages
 * such as kubernetes-models, whose exports name only `import`), resolves again with the `import` condition. The file
 * found is then rewritten to CommonJS by esm-to-cjs-transformer.cjs.
 */
'use strict';

module.exports = (request, options) => {
  try {
    return options.defaultResolver(request, options);
  } catch (err) {
    if (request.startsWith('.') || request.startsWith('/')) throw err;
    return options.defaultResolver(request, { ...options, conditions: ['import', 'node', 'default'] });
  }
};
