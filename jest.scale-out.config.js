import { base } from './jest.config.js';

// `npm run test:scale-out`: primary + streaming replica + PgBouncer + 3 API processes, built and
// removed by test/scale-out/topology.ts. No global setup: the suite needs no embedded server.
export default {
  ...base,
  globalSetup: undefined,
  globalTeardown: undefined,
  testMatch: ['<rootDir>/test/scale-out/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 120000,
};
