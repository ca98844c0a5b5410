/** Layer rules: apps -> application -> domain; persistence, messaging and config are adapters; the domain imports no framework. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      comment: 'Business rules are plain TypeScript: no Nest, TypeORM, Kafka or database client in libs/domain.',
      severity: 'error',
      from: { path: '^libs/domain/src', pathNot: '\\.spec\\.ts$' },
      to: { path: '(node_modules/(@nestjs|typeorm|kafkajs|pg|ioredis|class-validator|class-transformer)/)|^(apps|libs/(application|persistence|messaging|config|dev-stack|testing))/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'application-uses-adapters-not-apps-or-dev-tools',
      severity: 'error',
      from: { path: '^libs/application/src' },
      to: { path: '^libs/(dev-stack|testing)/' },
    },
    {
      name: 'only-persistence-touches-typeorm',
      comment: 'TypeORM stays inside libs/persistence (entities, repositories, data source) and the migrations.',
      severity: 'error',
      from: { path: '^(apps|libs/(domain|application|messaging|config))/', pathNot: '\\.(spec|int-spec)\\.ts$' },
      to: { path: 'node_modules/typeorm/' },
    },
    {
      name: 'only-messaging-touches-kafkajs',
      comment: 'kafkajs stays behind libs/messaging so that a successor client replaces it in one place.',
      severity: 'error',
      from: { path: '^(apps|libs/(domain|application|persistence|config))/', pathNot: '\\.(spec|int-spec)\\.ts$' },
      to: { path: 'node_modules/kafkajs/' },
    },
    {
      name: 'apps-are-not-imported-by-production-code',
      severity: 'error',
      from: { path: '^apps/worker/' },
      to: { path: '^apps/api/' },
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
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|\\.cache|coverage)/' },
  },
};
