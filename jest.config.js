/**
 * Jest runs the TypeScript sources through ts-jest in Node.
 * Engine tests (ts-tests/engine) are pure; view tests (ts-tests/views) build plotly
 * traces without a DOM; integration tests (ts-tests/integration) drive a real
 * ipykernel and the bundled converter.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/ts-tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }]
  },
  moduleNameMapper: {
    '\\.(css)$': '<rootDir>/ts-tests/style-stub.js',
    '^gecko-profiler-demangle/index_bg\\.wasm$': '<rootDir>/ts-tests/demangle-wasm.js'
  },
  testTimeout: 120000
};
