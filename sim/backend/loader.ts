import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Registers tfjs-core's gradients with the shared engine (tfjs-core alone cannot in Node);
// ours replace some of them in loadBackend, so these must be registered first.
import '@tensorflow/tfjs';
import { registerFastGradients } from './gradients/index.ts';
import { loadNativeKernels } from './native/index.ts';
import { registerBaselineWasmKernels, registerWasmTrainingKernels } from './wasm-kernels/index.ts';
import { parseBackendName, selectBackend, type BackendCandidate, type BackendName } from './select.ts';

export type { BackendName } from './select.ts';
export { BACKEND_ORDER } from './select.ts';

export interface BackendInfo {
  name: BackendName;
  /** Backends tried before the chosen one, with the reason each was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** Kernels Permanence registered or replaced on the chosen backend. */
  kernels: string[];
  /** The optional native addon (oneDNN convolutions) used by the wasm backend, and why not. */
  native: { loaded: boolean; detail: string };
  /** tfjs-core gradients replaced by faster equivalent ones (on every backend). */
  gradients: string[];
  /** tfjs-core version, for results.json. */
  tfjsVersion: string;
}

export interface LoadBackendOptions {
  /** Forces one backend (else env PERMANENCE_BACKEND, else the fastest that loads). */
  backend?: BackendName;
  log?: (msg: string) => void;
}

const TFJS_TENSORFLOW_BACKEND = 'tensorflow';

/** Imports a native TensorFlow binding; both packages register the backend 'tensorflow'. */
async function activateTensorflow(pkg: string): Promise<void> {
  await import(pkg);
  // A copy of tfjs-core nested under the package would register with another engine.
  if (!tf.findBackendFactory(TFJS_TENSORFLOW_BACKEND)) {
    throw new Error(`${pkg} loaded but did not register with this tfjs-core`);
  }
  if (!(await tf.setBackend(TFJS_TENSORFLOW_BACKEND))) throw new Error(`${pkg} failed to initialise`);
}

let kernels: string[] = [];

/**
 * PERMANENCE_KERNELS=baseline keeps only what stock tfjs needs to train on wasm (no
 * native addon, fused kernels or faster gradients): the reference point for benchmarks.
 */
function baselineKernels(): boolean {
  const value = process.env.PERMANENCE_KERNELS?.trim();
  if (value === undefined || value === '' || value === 'all') return false;
  if (value === 'baseline') return true;
  throw new Error(`PERMANENCE_KERNELS='${value}' is not valid; expected all or baseline`);
}
let native: BackendInfo['native'] = { loaded: false, detail: 'only used with the wasm backend' };

function candidates(baseline: boolean): BackendCandidate[] {
  return [
    { name: 'tensorflow-gpu', activate: () => activateTensorflow('@tensorflow/tfjs-node-gpu') },
    { name: 'tensorflow', activate: () => activateTensorflow('@tensorflow/tfjs-node') },
    {
      name: 'wasm',
      activate: async () => {
        // Kernels must be registered before initialisation: tfjs runs their setup functions then.
        if (baseline) {
          native = { loaded: false, detail: 'not used with PERMANENCE_KERNELS=baseline' };
          kernels = registerBaselineWasmKernels();
        } else {
          const addon = loadNativeKernels();
          native = { loaded: addon.loaded, detail: addon.detail };
          kernels = registerWasmTrainingKernels(addon.loaded ? addon.kernels : undefined);
        }
        if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
      },
    },
    {
      name: 'cpu',
      activate: async () => {
        kernels = [];
        native = { loaded: false, detail: 'only used with the wasm backend' };
        if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
      },
    },
  ];
}

function defaultLog(msg: string): void {
  process.stderr.write(`[permanence] ${msg}\n`);
}

let loading: Promise<BackendInfo> | undefined;

/**
 * Picks and activates the tfjs backend for the whole process: tensorflow-gpu, tensorflow,
 * wasm (with Permanence's training kernels), cpu, in that order, unless `options.backend`
 * or PERMANENCE_BACKEND names one. Idempotent: later calls return the first choice.
 */
export function loadBackend(options: LoadBackendOptions = {}): Promise<BackendInfo> {
  const log = options.log ?? defaultLog;
  const envChoice = process.env.PERMANENCE_BACKEND?.trim();
  const requested =
    options.backend ?? (envChoice ? parseBackendName(envChoice, 'PERMANENCE_BACKEND') : undefined);
  if (loading) {
    return loading.then((info) => {
      if (requested && requested !== info.name) {
        log(`backend ${requested} requested but ${info.name} is already active; keeping ${info.name}`);
      }
      return info;
    });
  }
  loading = (async () => {
    const baseline = baselineKernels(); // an invalid value fails here, not as a skipped backend
    const selection = await selectBackend(candidates(baseline), requested, log);
    await tf.ready();
    const gradients = baseline ? [] : registerFastGradients();
    if (selection.name === 'wasm')
      log(`native kernels: ${native.loaded ? native.detail : `not used (${native.detail})`}`);
    return { ...selection, kernels, native, gradients, tfjsVersion: tf.version_core };
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/** The chosen backend, or undefined before loadBackend has finished. */
export function currentBackend(): Promise<BackendInfo> | undefined {
  return loading;
}
