// Three tiers (file suffix → what it may touch):
//   *.spec.ts      unit: pure code, no I/O
//   *.int-spec.ts  integration: real SQLite files, a real PostgreSQL
//   *.e2e-spec.ts  end to end: the built command line as child processes (test/e2e), and against
//                  a real Kafka broker (test/kafka), which the kafka project's setup starts
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@capflow/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@capflow/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing',
  },
  setupFiles: ['reflect-metadata'],
  rootDir: __dirname,
  // Tests never fail on timing: a loaded 2-core machine may be slow, never wrong.
  testTimeout: 120_000,
};

module.exports = {
  // testTimeout is a global option: in a project's config jest ignores it
  testTimeout: shared.testTimeout,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'] },
    { ...shared, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'] },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/build-once.js',
    },
    {
      ...shared,
      displayName: 'kafka',
      testMatch: ['<rootDir>/test/kafka/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/kafka-broker.js',
      globalTeardown: '<rootDir>/test/support/kafka-broker-teardown.js',
    },
    {
      // kill -9 of capflow, PostgreSQL and the broker: each spec starts the broker and cluster it kills
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/test/faults/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/build-once.js',
    },
  ],
};
