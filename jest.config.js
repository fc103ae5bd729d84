// Tests run as native ES modules (Nest 12 ships only ESM), so `npm test` starts Jest with
// --experimental-vm-modules. TypeScript is compiled by SWC with the project's .swcrc.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  // Sources import each other as './x.js' (ESM); under Jest the file is ./x.ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  // Test files wait on Postgres and HTTP more than on the CPU.
  maxWorkers: 3,
  testTimeout: 30_000,
};
