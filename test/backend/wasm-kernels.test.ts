import { kernelSuites } from './kernel-suites.ts';
import { loadNativeKernels } from '../../sim/backend/native/index.ts';

// With the oneDNN addon when it is built (npm run build:native), else the JS kernels again.
kernelSuites(loadNativeKernels().loaded);
