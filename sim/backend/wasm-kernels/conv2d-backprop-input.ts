import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convInfo, type ConvAttrs } from './conv-geometry.ts';
import { release, runKernel, transpose, type WasmBackend } from './wasm-backend.ts';

/**
 * For stride 1, dx is the forward convolution of dy with the filter flipped in space and
 * with in/out channels swapped, which XNNPACK runs much faster than wasm's direct
 * backprop loop. Other strides go to the built-in kernel.
 */
export function makeConv2DBackpropInputConfig(builtIn: KernelConfig): KernelConfig {
  function conv2DBackpropInput(args: {
    inputs: { dy: TensorInfo; filter: TensorInfo };
    backend: WasmBackend;
    attrs: ConvAttrs & { inputShape: [number, number, number, number] };
  }): TensorInfo {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const info = convInfo(attrs.inputShape, filter.shape as [number, number, number, number], attrs);
    const top = info.filterHeight - 1 - info.padInfo.top;
    const left = info.filterWidth - 1 - info.padInfo.left;
    const bottom = info.inHeight - info.outHeight + info.filterHeight - 1 - top;
    const right = info.inWidth - info.outWidth + info.filterWidth - 1 - left;
    const unit = info.strideHeight === 1 && info.strideWidth === 1;
    if (
      !unit ||
      info.dilationHeight !== 1 ||
      info.dilationWidth !== 1 ||
      Math.min(top, left, bottom, right) < 0
    ) {
      return builtIn.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const flipped = runKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
    const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
    release(backend, flipped);
    const dx = runKernel(
      backend,
      'Conv2D',
      { x: dy, filter: swapped },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dilations: [1, 1],
        dataFormat: 'NHWC',
      },
    );
    release(backend, swapped);
    return dx;
  }
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    setupFunc: builtIn.setupFunc,
    kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
  };
}
