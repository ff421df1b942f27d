import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeKernels } from '../native/index.ts';
import type { WasmBackend } from './wasm-backend.ts';

interface FusedBatchNormArgs {
  inputs: { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo };
  backend: WasmBackend;
  attrs: { varianceEpsilon: number };
}

/**
 * tf.batchNorm with per-channel [C] parameters, as y = x * a + b with a = scale /
 * sqrt(var + eps), b = offset - mean * a folded in float64, on all cores (the models'
 * BatchNorm in both modes). Other shapes go to the built-in kernel.
 */
export function makeNativeFusedBatchNormConfig(native: NativeKernels, builtIn: KernelConfig): KernelConfig {
  function fusedBatchNorm(args: FusedBatchNormArgs): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { x, mean, variance, offset, scale } = inputs;
    const channels = x.shape[x.shape.length - 1];
    const params = [mean, variance, offset, scale].filter((t): t is TensorInfo => t !== undefined);
    const perChannel = params.every((t) => t.shape.length === 1 && t.shape[0] === channels);
    if (x.dtype !== 'float32' || !perChannel || params.some((t) => t.dtype !== 'float32')) {
      return builtIn.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const view = (t: TensorInfo): Float32Array => backend.typedArrayFromHeap(t) as Float32Array;
    const [m, v] = [view(mean), view(variance)];
    const [o, g] = [offset ? view(offset) : undefined, scale ? view(scale) : undefined];
    const a = new Float32Array(channels);
    const b = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const factor = (g ? g[c] : 1) / Math.sqrt(v[c] + attrs.varianceEpsilon);
      a[c] = factor;
      b[c] = (o ? o[c] : 0) - m[c] * factor;
    }
    const out = backend.makeOutput(x.shape, 'float32');
    const rows = util.sizeFromShape(x.shape) / channels;
    native.bnApply(view(x), a, b, [rows, channels], view(out));
    return out;
  }
  return {
    kernelName: 'FusedBatchNorm',
    backendName: 'wasm',
    setupFunc: builtIn.setupFunc,
    kernelFunc: fusedBatchNorm as unknown as KernelFunc,
  };
}
