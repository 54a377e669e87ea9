/** Limits the workerd tests run with (vitest.config.ts passes them to the worker). */
export const TEST_RATE_BURST = 60;
export const TEST_RATE_PER_SECOND = 1;
