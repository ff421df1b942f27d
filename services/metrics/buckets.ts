/** Histogram buckets in seconds. */
export const SECONDS_TO_MINUTES = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];
export const MILLISECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
