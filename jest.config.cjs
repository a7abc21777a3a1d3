/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` (part of `npm test`) type-checks. */
/** ESM-only packages (and their ESM-only dependencies) that tests load: @kubernetes/client-node 1.x, kubernetes-models. */
const ESM_ONLY_PACKAGES = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'kubernetes-models', '@kubernetes-models', 'is-cidr', 'cidr-regex', 'ip-regex'];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/images', '<rootDir>/constructs'],
  testPathIgnorePatterns: ['/node_modules/', '/images/trainer/'],
  // dist/ is the compiled package (npm run build): never a test root nor a second copy of a module.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // CommonJS emit for tests: `import()` of an ESM-only package becomes a require() jest can run (tsc keeps nodenext).
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/images/controller/test/kubernetes/jest/tsconfig.jest.json', diagnostics: false }],
    // ESM-only packages (listed below) are rewritten to CommonJS: jest 29 runs ESM only with --experimental-vm-modules.
    '/node_modules/.+\\.m?js$': '<rootDir>/images/controller/test/kubernetes/jest/esm-to-cjs-transformer.cjs',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  resolver: '<rootDir>/images/controller/test/kubernetes/jest/esm-aware-resolver.cjs',
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
  testTimeout: 120000,
};
