import type { KernelConfig, KernelFunc, TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { NativeKernels } from '../native/index.ts';
import { convInfo, type ConvAttrs } from './conv-geometry.ts';
import type { WasmBackend } from './wasm-backend.ts';

type Shape4 = [number, number, number, number];

function dims(info: backend_util.Conv2DInfo): number[] {
  const { padInfo } = info;
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.outChannels,
    info.outHeight,
    info.outWidth,
    info.strideHeight,
    info.strideWidth,
    padInfo.top,
    padInfo.left,
    padInfo.bottom,
    padInfo.right,
    info.dilationHeight,
    info.dilationWidth,
  ];
}

const f32 = (backend: WasmBackend, t: TensorInfo): Float32Array =>
  backend.typedArrayFromHeap(t) as Float32Array;

/**
 * The three convolution kernels of training computed by the native addon (oneDNN, all
 * cores) on the wasm heap in place. Each falls back to `fallback[name]` for anything but
 * float32 NHWC.
 */
export function makeNativeConvConfigs(
  native: NativeKernels,
  fallback: Record<string, KernelConfig>,
): KernelConfig[] {
  const wrap = (name: string, run: (args: NativeArgs) => TensorInfo | undefined): KernelConfig => ({
    kernelName: name,
    backendName: 'wasm',
    setupFunc: fallback[name].setupFunc,
    kernelFunc: ((args: NativeArgs) =>
      run(args) ??
      fallback[name].kernelFunc(args as unknown as Parameters<KernelFunc>[0])) as unknown as KernelFunc,
  });
  const usable = (args: NativeArgs, ...ts: TensorInfo[]): boolean =>
    args.attrs.dataFormat !== 'NCHW' && ts.every((t) => t.dtype === 'float32');

  return [
    wrap('Conv2D', (args) => {
      const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
      if (!usable(args, x, filter)) return undefined;
      const info = convInfo(x.shape as Shape4, filter.shape as Shape4, args.attrs);
      const out = args.backend.makeOutput(info.outShape, 'float32');
      native.conv(0, f32(args.backend, x), f32(args.backend, filter), f32(args.backend, out), dims(info));
      return out;
    }),
    wrap('Conv2DBackpropInput', (args) => {
      const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
      if (!usable(args, dy, filter) || !args.attrs.inputShape) return undefined;
      const info = convInfo(args.attrs.inputShape, filter.shape as Shape4, args.attrs);
      const out = args.backend.makeOutput(info.inShape, 'float32');
      native.conv(1, f32(args.backend, dy), f32(args.backend, filter), f32(args.backend, out), dims(info));
      return out;
    }),
    wrap('Conv2DBackpropFilter', (args) => {
      const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
      if (!usable(args, x, dy) || !args.attrs.filterShape) return undefined;
      const info = convInfo(x.shape as Shape4, args.attrs.filterShape, args.attrs);
      const out = args.backend.makeOutput(args.attrs.filterShape, 'float32');
      native.conv(2, f32(args.backend, x), f32(args.backend, dy), f32(args.backend, out), dims(info));
      return out;
    }),
  ];
}

interface NativeArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs: ConvAttrs & { inputShape?: Shape4; filterShape?: Shape4 };
}
