/** Unit tests sit beside the code they test; integration tests in test/ run against a real broker and database. */
// NestJS 12 ships ES modules only. Node 20 loads them through require(esm), but Jest's module
// system does not before Node 24.9, so Jest compiles them to CommonJS like our own sources.
const transform = {
  '^.+\\.(ts|js)$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
const moduleNameMapper = { '^@app/(.*)$': '<rootDir>/libs/$1/src' };
// So are the packages that ship ES modules only and that openapi-typescript's CommonJS build requires (the api-types test runs it).
const transformIgnorePatterns = ['/node_modules/(?!(@nestjs|jose|openapi-typescript|parse-json|index-to-position|change-case|supports-color)/)'];

module.exports = {
  // Integration tests wait on a real broker and database; they fail on their own deadlines, not on a clock.
  testTimeout: 120000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.int-spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
