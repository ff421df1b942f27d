/** Neural Cleanse (Wang et al. 2019): the smallest trigger per label, CE + cost * |m|_1. */
import { runScan } from './scan.ts';
import type { Defense } from './types.ts';

export const neuralCleanse: Defense = {
  name: 'nc',
  description: 'Neural Cleanse: per-label minimal mask + pattern (L1), MAD anomaly index',
  scan: (model, clean, options) => runScan('nc', model, clean, options ?? {}),
};
