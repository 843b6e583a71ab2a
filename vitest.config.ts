import { defineConfig } from 'vitest/config';

// One project per kind of test (see STYLE.md): unit tests are pure and fast; the others start
// their own emulator on 127.0.0.1:0 and may spawn the built CLI; their setup hooks (an emulator,
// a discover) get the tests' time, since 2 CPUs shared by parallel runs make 10 s too short.
export default defineConfig({
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'emulator', include: ['test/emulator/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      { extends: true, test: { name: 'contract', include: ['test/contract/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      // Builds the Docker image with podman (installed when missing) and runs it against the emulator.
      { extends: true, test: { name: 'container', include: ['test/container/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 600_000 } },
    ],
  },
});
