import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernels } from '../native/index.ts';
import type { WasmBackend } from './wasm-backend.ts';

/** Kernel names of the fused training batch norm (see ../ops/batch-norm-training.ts). */
export const BATCH_NORM_MOMENTS = 'PermanenceBatchNormMoments';
export const BATCH_NORM_GRAD = 'PermanenceBatchNormGrad';

/** Per-channel mean and (biased) variance of [..., C] in one pass, accumulated in float64. */
function moments(args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo[] {
  const { inputs, backend } = args;
  const { x } = inputs;
  const channels = x.shape[x.shape.length - 1];
  const count = util.sizeFromShape(x.shape) / channels;
  const meanOut = backend.makeOutput([channels], 'float32');
  const varOut = backend.makeOutput([channels], 'float32');
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  for (let i = 0, at = 0; i < count; i++) {
    for (let c = 0; c < channels; c++, at++) {
      const v = src[at];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
  const mean = backend.typedArrayFromHeap(meanOut) as Float32Array;
  const variance = backend.typedArrayFromHeap(varOut) as Float32Array;
  for (let c = 0; c < channels; c++) {
    const m = sum[c] / count;
    mean[c] = m;
    variance[c] = Math.max(0, sumSq[c] / count - m * m);
  }
  return [meanOut, varOut];
}

/**
 * dx, dGamma, dBeta of y = gamma (x - mean) rsqrt(var + eps) + beta with batch statistics,
 * per channel over N = all but the last axis, xh = (x - mean) rsqrt(var + eps):
 * dBeta = sum dy, dGamma = sum dy xh, dx = gamma rsqrt(var + eps) (dy - dBeta/N - xh dGamma/N).
 * Two passes over x and dy instead of tfjs's dozen element-wise ops.
 */
function batchNormGrad(args: {
  inputs: { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; gamma: TensorInfo };
  backend: WasmBackend;
  attrs: { epsilon: number };
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const channels = inputs.x.shape[inputs.x.shape.length - 1];
  const count = util.sizeFromShape(inputs.x.shape) / channels;
  const dxOut = backend.makeOutput(inputs.x.shape, 'float32');
  const dGammaOut = backend.makeOutput([channels], 'float32');
  const dBetaOut = backend.makeOutput([channels], 'float32');
  const view = (t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
  const [dy, x, mean, variance, gamma] = [
    inputs.dy,
    inputs.x,
    inputs.mean,
    inputs.variance,
    inputs.gamma,
  ].map(view);
  const rstd = new Float64Array(channels);
  for (let c = 0; c < channels; c++) rstd[c] = 1 / Math.sqrt(variance[c] + attrs.epsilon);
  const sumDy = new Float64Array(channels);
  const sumDyXh = new Float64Array(channels);
  for (let i = 0, at = 0; i < count; i++) {
    for (let c = 0; c < channels; c++, at++) {
      const g = dy[at];
      sumDy[c] += g;
      sumDyXh[c] += g * (x[at] - mean[c]) * rstd[c];
    }
  }
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  const xhFactor = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = gamma[c] * rstd[c];
    shift[c] = sumDy[c] / count;
    xhFactor[c] = (sumDyXh[c] / count) * rstd[c];
  }
  const dx = view(dxOut);
  for (let i = 0, at = 0; i < count; i++) {
    for (let c = 0; c < channels; c++, at++) {
      dx[at] = scale[c] * (dy[at] - shift[c] - (x[at] - mean[c]) * xhFactor[c]);
    }
  }
  const dGamma = view(dGammaOut);
  const dBeta = view(dBetaOut);
  for (let c = 0; c < channels; c++) {
    dGamma[c] = sumDyXh[c];
    dBeta[c] = sumDy[c];
  }
  return [dxOut, dGammaOut, dBetaOut];
}

function nativeMoments(native: NativeKernels) {
  return (args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo[] => {
    const { inputs, backend } = args;
    const channels = inputs.x.shape[inputs.x.shape.length - 1];
    const rows = util.sizeFromShape(inputs.x.shape) / channels;
    const mean = backend.makeOutput([channels], 'float32');
    const variance = backend.makeOutput([channels], 'float32');
    const view = (t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
    native.bnMoments(view(inputs.x), [rows, channels], view(mean), view(variance));
    return [mean, variance];
  };
}

function nativeGrad(native: NativeKernels) {
  return (args: Parameters<typeof batchNormGrad>[0]): TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const channels = inputs.x.shape[inputs.x.shape.length - 1];
    const rows = util.sizeFromShape(inputs.x.shape) / channels;
    const dx = backend.makeOutput(inputs.x.shape, 'float32');
    const dGamma = backend.makeOutput([channels], 'float32');
    const dBeta = backend.makeOutput([channels], 'float32');
    const view = (t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
    const { dy, x, mean, variance, gamma } = inputs;
    native.bnGrad(
      view(dy),
      view(x),
      view(mean),
      view(variance),
      view(gamma),
      [rows, channels],
      attrs.epsilon,
      view(dx),
      view(dGamma),
      view(dBeta),
    );
    return [dx, dGamma, dBeta];
  };
}

/** The two kernels, computed by the native addon when given, else in JS. */
export function makeBatchNormTrainingConfigs(native?: NativeKernels): KernelConfig[] {
  return [
    {
      kernelName: BATCH_NORM_MOMENTS,
      backendName: 'wasm',
      kernelFunc: (native ? nativeMoments(native) : moments) as unknown as KernelFunc,
    },
    {
      kernelName: BATCH_NORM_GRAD,
      backendName: 'wasm',
      kernelFunc: (native ? nativeGrad(native) : batchNormGrad) as unknown as KernelFunc,
    },
  ];
}
