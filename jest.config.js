/**
 * Jest runs the TypeScript sources through ts-jest in Node.
 * Engine tests (test/engine) are pure; view tests (test/views) build plotly
 * traces without a DOM; integration tests (test/integration) drive a real
 * ipykernel and the bundled converter.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }]
  },
  moduleNameMapper: {
    '\\.(css)$': '<rootDir>/test/style-stub.js',
    '^gecko-profiler-demangle/index_bg\\.wasm$': '<rootDir>/test/demangle-wasm.js'
  },
  testTimeout: 120000
};
