/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// One way to run ESM TypeScript: @swc/jest transpiles (no type check; `npm run typecheck` does that),
// Node's --experimental-vm-modules runs the result as ESM.
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/infra/test/setup-env.ts'],
  // Copies what reaches a test (loopback fetches, a worker's stdout) for the secrets/PAN sweep.
  setupFilesAfterEnv: ['<rootDir>/infra/test/sweep/capture-setup.ts'],
} satisfies Config;

const config: Config = {
  // Integration tests wait on real servers (dynalite, the gateway, the agent); `waitFor` deadlines inside them are tighter.
  testTimeout: 60_000,
  // Jest's default on a 2-core machine is one worker; the agent outage test spends two minutes waiting, so a second
  // worker runs the rest of the suite beside it.
  maxWorkers: 2,
  // The secrets/PAN sweep: the setup names a directory the test helpers copy product output into; the teardown
  // searches it for card numbers and registered secrets and fails the run on a find (infra/test/sweep).
  globalSetup: '<rootDir>/infra/test/sweep/global-setup.mjs',
  globalTeardown: '<rootDir>/infra/test/sweep/global-teardown.mjs',
  reporters: ['default', '<rootDir>/infra/test/sweep/console-reporter.mjs'],
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/*/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/*/test/integration/**/*.test.ts'] },
  ],
};

export default config;
