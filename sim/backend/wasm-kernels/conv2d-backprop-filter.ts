import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convInfo, type ConvAttrs } from './conv-geometry.ts';
import { release, runKernel, transpose, type WasmBackend } from './wasm-backend.ts';

/**
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*s + kh - padTop, ow*s + kw - padLeft, ci]
 * * dy[b, oh, ow, co]. That sum is itself a forward convolution once the batch axis plays
 * the channel axis: input x as [Cin, H, W, B], filter dy as [OH, OW, B, Cout], the stride
 * of the original conv becoming the filter's dilation. XNNPACK's fast forward conv then
 * does the work; the result [Cin, KH', KW', Cout] is cropped to the kernel size (a stride
 * that does not divide evenly leaves extra rows) and transposed to [KH, KW, Cin, Cout].
 * (wasm's Conv3DBackpropFilterV2 is wrong for stride > 1, so it is not used.)
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: WasmBackend;
  attrs: ConvAttrs & { filterShape: [number, number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const info = convInfo(x.shape as [number, number, number, number], attrs.filterShape, attrs);
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error('Conv2DBackpropFilter: dilated convolutions are not supported on wasm');
  }
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  // Pad bottom/right only as far as the kernel window reaches.
  const reachH = (info.outHeight - 1) * strideHeight + filterHeight;
  const reachW = (info.outWidth - 1) * strideWidth + filterWidth;
  const padBottom = Math.max(0, reachH - padInfo.top - info.inHeight);
  const padRight = Math.max(0, reachW - padInfo.left - info.inWidth);
  const raw = runKernel(
    backend,
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [padInfo.top, padBottom],
        [padInfo.left, padRight],
        [0, 0],
      ],
      dilations: [strideHeight, strideWidth],
      dataFormat: 'NHWC',
    },
  );
  release(backend, xT, dyT);
  let cropped = raw;
  if (raw.shape[1] !== filterHeight || raw.shape[2] !== filterWidth) {
    cropped = runKernel(
      backend,
      'Slice',
      { x: raw },
      { begin: [0, 0, 0, 0], size: [raw.shape[0], filterHeight, filterWidth, raw.shape[3]] },
    );
    release(backend, raw);
  }
  const dw = transpose(backend, cropped, [1, 2, 0, 3]);
  release(backend, cropped);
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
