import {
  backend_util,
  util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { WasmBackend } from './wasm-backend.ts';

interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

/**
 * Sum and Mean over leading axes (BatchNorm's per-channel statistics and gradients reduce
 * [N, H, W, C] over N, H, W). wasm transposes the reduced axes innermost first, a full
 * copy; this reads the input once, accumulating each channel in float64. Any other
 * reduction goes to the built-in kernel.
 */
function makeReduceConfig(kernelName: 'Sum' | 'Mean', builtIn: KernelConfig): KernelConfig {
  function reduce(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: ReduceAttrs }): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const sorted = [...axes].sort((a, b) => a - b);
    const leading = sorted.length > 0 && sorted.length < x.shape.length && sorted.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) {
      return builtIn.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const inner = util.sizeFromShape(x.shape.slice(sorted.length));
    const outer = util.sizeFromShape(x.shape.slice(0, sorted.length));
    const outShape = attrs.keepDims
      ? backend_util.expandShapeToKeepDim(x.shape.slice(sorted.length), sorted)
      : x.shape.slice(sorted.length);
    const out = backend.makeOutput(outShape, 'float32');
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    const dst = backend.typedArrayFromHeap(out) as Float32Array;
    const acc = new Float64Array(inner);
    for (let o = 0, at = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++, at++) acc[j] += src[at];
    }
    const scale = kernelName === 'Mean' ? 1 / outer : 1;
    for (let j = 0; j < inner; j++) dst[j] = acc[j] * scale;
    return out;
  }
  return {
    kernelName,
    backendName: 'wasm',
    setupFunc: builtIn.setupFunc,
    kernelFunc: reduce as unknown as KernelFunc,
  };
}

export const makeSumConfig = (builtIn: KernelConfig): KernelConfig => makeReduceConfig('Sum', builtIn);
export const makeMeanConfig = (builtIn: KernelConfig): KernelConfig => makeReduceConfig('Mean', builtIn);
