import { kernelSuites } from './kernel-suites.ts';

// The JS/wasm kernels alone, as on a machine where the native addon is not built.
process.env.PERMANENCE_NATIVE = '0';
kernelSuites(false);
