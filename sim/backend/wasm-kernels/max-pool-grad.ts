import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernels } from '../native/index.ts';
import type { WasmBackend } from './wasm-backend.ts';

interface MaxPoolGradAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Routes each dy to the first maximum of its window (row-major scan, strict '>', as the cpu
 * backend), reading and writing the wasm heap directly. wasm's built-in kernel recomputes
 * positions through a slow generic path; this single pass is several times faster.
 */
function maxPoolGrad(args: MaxPoolGradArgs, native?: NativeKernels): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = backend.makeOutput(input.shape, 'float32');
  // Views are taken after the allocation above, which may have grown (and detached) the heap.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  if (native) {
    const dims = [batchSize, inHeight, inWidth, channels, outHeight, outWidth];
    native.maxPoolGrad(g, x, dx, [...dims, filterHeight, filterWidth, strideHeight, strideWidth, top, left]);
    return out;
  }
  dx.fill(0);
  const rowStride = inWidth * channels;
  let gAt = 0;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const r0 = oh * strideHeight - top;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(inHeight, r0 + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const c0 = ow * strideWidth - left;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(inWidth, c0 + filterWidth);
        for (let d = 0; d < channels; d++, gAt++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rMin; r < rMax; r++) {
            let i = xBatch + r * rowStride + cMin * channels + d;
            for (let c = cMin; c < cMax; c++, i += channels) {
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[gAt];
        }
      }
    }
  }
  return out;
}

interface MaxPoolGradArgs {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: WasmBackend;
  attrs: MaxPoolGradAttrs;
}

/** Computed by the native addon when given (the same rule, on all cores), else in JS. */
export function makeMaxPoolGradConfig(native?: NativeKernels): KernelConfig {
  return {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: ((args: MaxPoolGradArgs) => maxPoolGrad(args, native)) as unknown as KernelFunc,
  };
}
