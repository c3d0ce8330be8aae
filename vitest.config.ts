import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Most tests wait on HTTP round trips, child processes and timers rather than the CPU: four test
    // files at a time finish the suite in about 0.6 of the time one per CPU took on a 2-core machine.
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
