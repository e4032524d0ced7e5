// ESM NestJS under jest: ts is compiled by @swc/jest; `.js` suffixes in relative imports are
// mapped back to the .ts sources. Test databases come from test/setup/global-setup.ts.
const swc = (moduleType) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2022',
      keepClassNames: true,
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    },
    module: { type: moduleType },
  },
];

const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': swc('es6'),
    // @fastify/static requires this ESM-only package; compile it to CommonJS for jest.
    '/node_modules/content-disposition/.+\\.js$': swc('commonjs'),
  },
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  testTimeout: 60000,
};

/** Shared by jest.browser.config.js. */
export const base = {
  ...common,
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  maxWorkers: 2,
};

// `npm test`: everything but the browser tests, which need Debian's chromium and run through
// `npm run test:browser` (installed and run by .ci/run).
export default {
  ...base,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  // test/scale-out builds its own servers (npm run test:scale-out, run by .ci/run).
  testPathIgnorePatterns: ['/node_modules/', '\\.browser\\.test\\.ts$', '/test/scale-out/'],
};
