/**
 * Architecture rules, checked by `npm run lint`:
 * - a lib is entered through its index.ts, never by a path into its src/;
 * - libs/ledger is pure TypeScript: no NestJS, no I/O, no other lib but contracts;
 * - libs never import apps;
 * - kafkajs is imported by one file, libs/kafka/src/kafka-client.ts;
 * - @eventstore/db-client is imported only by the EventStoreDB adapter, libs/event-store/src/esdb/.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'lib-through-index',
      comment: 'Reach another lib through its index.ts (import from @capflow/<lib>).',
      severity: 'error',
      from: { path: '^(apps|libs|test)/', pathNot: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: '^libs/[^/]+/src/(testing/)?index\\.ts$' },
    },
    {
      name: 'lib-to-lib-through-index',
      comment: 'Between libs too: only index.ts is public.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: ['^libs/$1/', '^libs/[^/]+/src/(testing/)?index\\.ts$'] },
    },
    {
      name: 'test-support-stays-in-tests',
      comment: 'A lib\'s testing/ entry is for tests only.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$|/testing/' },
      to: { path: '^libs/[^/]+/src/testing/' },
    },
    {
      name: 'ledger-is-pure',
      comment: 'Ledger rules import nothing from NestJS and do no I/O.',
      severity: 'error',
      from: { path: '^libs/(ledger|contracts)/', pathNot: '\\.spec\\.ts$|/testing/' },
      to: {
        path: '(^|/)node_modules/(@nestjs|nest-commander|pg|better-sqlite3|kafkajs)/|^(fs|net|http|https|child_process|dgram|worker_threads)$',
      },
    },
    {
      name: 'ledger-depends-on-contracts-only',
      severity: 'error',
      from: { path: '^libs/ledger/', pathNot: '\\.spec\\.ts$|/testing/' },
      to: { path: '^libs/', pathNot: '^libs/(ledger|contracts)/' },
    },
    {
      name: 'kafka-client-behind-one-file',
      comment: 'Only libs/kafka/src/kafka-client.ts speaks kafkajs, so the client can be replaced there alone.',
      severity: 'error',
      from: { pathNot: '^libs/kafka/src/kafka-client\\.ts$|^infra/' },
      to: { path: '(^|/)node_modules/kafkajs/' },
    },
    {
      name: 'esdb-client-behind-the-adapter',
      comment: 'Only the EventStoreDB adapter (libs/event-store/src/esdb/) speaks @eventstore/db-client, so the client can be replaced there alone.',
      severity: 'error',
      from: { pathNot: '^libs/event-store/src/esdb/|^infra/' },
      to: { path: '(^|/)node_modules/@eventstore/db-client/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
