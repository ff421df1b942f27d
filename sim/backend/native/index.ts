import { createRequire } from 'node:module';

/**
 * The optional N-API addon (src/addon.cc): oneDNN convolutions and OpenMP BatchNorm and
 * max-pool gradients, computed in place on the wasm heap.
 */
export interface NativeKernels {
  /**
   * kind 0: y = conv(x, w); 1: dx from (dy, w); 2: dw from (x, dy). dims: [n, h, w, cin,
   * kh, kw, cout, oh, ow, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH,
   * dilationW]. Arrays are NHWC / HWIO, written in place.
   */
  conv(kind: 0 | 1 | 2, a: Float32Array, b: Float32Array, out: Float32Array, dims: readonly number[]): void;
  /** Per-channel mean and biased variance of rows x channels (NHWC flattened). */
  bnMoments(
    x: Float32Array,
    dims: readonly [number, number],
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  /** y = x * scale + shift per channel. */
  bnApply(
    x: Float32Array,
    scale: Float32Array,
    shift: Float32Array,
    dims: readonly [number, number],
    y: Float32Array,
  ): void;
  /** Closed-form training BatchNorm gradient (see ops/batch-norm-training.ts). */
  bnGrad(
    dy: Float32Array,
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    gamma: Float32Array,
    dims: readonly [number, number],
    epsilon: number,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
  ): void;
  /** dims: [n, h, w, c, outH, outW, filterH, filterW, strideH, strideW, padTop, padLeft]. */
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, dims: readonly number[]): void;
  /** OpenMP threads of the calling thread's parallel regions (other threads keep theirs). */
  setThreads?(n: number): void;
  version(): string;
  /** The whole-network training step (src/net.cc); see sim/backend/native-net/. */
  netCreate?(
    plan: Int32Array,
    input: readonly [number, number, number],
    classes: number,
    logitScale: number,
    paramSizes: Int32Array,
    trainable: Uint8Array,
  ): NativeNetHandle;
  netSetParam?(net: NativeNetHandle, index: number, values: Float32Array): void;
  netGetParam?(net: NativeNetHandle, index: number, into: Float32Array): void;
  netResetMomentum?(net: NativeNetHandle): void;
  /** One SGD step on images order[0, n); returns the batch's mean loss. */
  netTrainStep?(
    net: NativeNetHandle,
    images: Float32Array,
    labels: Int32Array,
    order: Int32Array,
    n: number,
    lr: number,
    momentum: number,
    weightDecay: number,
  ): number;
  /** Inference-mode logits (logit scale applied) of images [from, from + n). */
  netPredict?(
    net: NativeNetHandle,
    images: Float32Array,
    from: number,
    n: number,
    logits: Float32Array,
  ): void;
  /** Milliseconds per plan node forward, then backward, then loss and SGD; resets them. */
  netTimings?(net: NativeNetHandle, into: Float64Array): void;
  /** Frees the net's activations and primitives now (it reallocates if used again). */
  netRelease?(net: NativeNetHandle): void;
}

/** An opaque native net (freed by the garbage collector). */
declare const nativeNetBrand: unique symbol;
export interface NativeNetHandle {
  readonly [nativeNetBrand]: true;
}

export type NativeStatus =
  { loaded: true; kernels: NativeKernels; detail: string } | { loaded: false; detail: string };

const ADDON_PATH = './build/Release/permanence_kernels.node';

let status: NativeStatus | undefined;

/**
 * Loads the addon once. It is built at install (npm's postinstall runs build.mjs) when
 * node-gyp, a C++ compiler and oneDNN's headers (Debian: libdnnl-dev) are present;
 * when it is missing or fails to load, Permanence uses its JS/wasm kernels instead.
 * PERMANENCE_NATIVE=0 turns it off; PERMANENCE_THREADS caps its threads (default: all cores).
 */
export function loadNativeKernels(): NativeStatus {
  if (status) return status;
  if (process.env.PERMANENCE_NATIVE === '0') {
    status = { loaded: false, detail: 'disabled by PERMANENCE_NATIVE=0' };
    return status;
  }
  // OpenMP reads its thread count when the library loads; PERMANENCE_THREADS sets it (e.g.
  // 1 per process when several training jobs share the cores).
  const threads = process.env.PERMANENCE_THREADS;
  if (threads && !process.env.OMP_NUM_THREADS) process.env.OMP_NUM_THREADS = threads;
  // Idle OpenMP threads sleep instead of spinning: on shared cores (several jobs, other
  // users) spinning made a ResNet-9 step 2-4x slower. OMP_WAIT_POLICY=active overrides.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    const kernels = createRequire(import.meta.url)(ADDON_PATH) as NativeKernels;
    status = { loaded: true, kernels, detail: kernels.version() };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    status = { loaded: false, detail: `native addon unavailable (npm run build:native): ${message}` };
  }
  return status;
}

/**
 * Caps the native kernels' threads for the calling JS thread only. Returns false when the
 * addon is not loaded (or was built before setThreads existed); then nothing changes.
 */
/** The addon, when the backend loader has already loaded it (never loads it by itself). */
export function loadedNativeKernels(): NativeKernels | undefined {
  return status?.loaded ? status.kernels : undefined;
}

export function setNativeThreadsOfThisThread(n: number): boolean {
  // Only an addon the backend loader already loaded: this must not pull it in by itself.
  if (!status?.loaded || typeof status.kernels.setThreads !== 'function') return false;
  status.kernels.setThreads(n);
  return true;
}
