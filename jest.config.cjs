/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` (part of `npm test`) type-checks. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/images', '<rootDir>/constructs'],
  testPathIgnorePatterns: ['/node_modules/', '/images/trainer/'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
  testTimeout: 120000,
};
