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
 * non-empty float32 NHWC, and (with a warning, once per message) when oneDNN rejects a case.
 */
export function makeNativeConvConfigs(
  native: NativeKernels,
  fallback: Record<string, KernelConfig>,
): KernelConfig[] {
  const warned = new Set<string>();
  const wrap = (name: string, run: (args: NativeArgs) => TensorInfo | undefined): KernelConfig => ({
    kernelName: name,
    backendName: 'wasm',
    setupFunc: fallback[name].setupFunc,
    kernelFunc: ((args: NativeArgs) =>
      run(args) ??
      fallback[name].kernelFunc(args as unknown as Parameters<KernelFunc>[0])) as unknown as KernelFunc,
  });
  const usable = (args: NativeArgs, ...ts: TensorInfo[]): boolean =>
    args.attrs.dataFormat !== 'NCHW' && ts.every((t) => t.dtype === 'float32' && t.shape.every((n) => n > 0));
  /** Runs the addon into a fresh output; a case oneDNN rejects goes to the fallback. */
  const compute = (
    backend: WasmBackend,
    shape: number[],
    call: (out: Float32Array) => void,
  ): TensorInfo | undefined => {
    const out = backend.makeOutput(shape, 'float32');
    try {
      call(f32(backend, out));
      return out;
    } catch (error) {
      backend.disposeData(out.dataId);
      const message = error instanceof Error ? error.message : String(error);
      if (!warned.has(message)) {
        warned.add(message);
        process.emitWarning(`native convolution failed, using the wasm kernel: ${message}`);
      }
      return undefined;
    }
  };

  return [
    wrap('Conv2D', ({ inputs, backend, attrs }) => {
      const { x, filter } = inputs;
      if (!usable({ inputs, backend, attrs }, x, filter)) return undefined;
      const info = convInfo(x.shape as Shape4, filter.shape as Shape4, attrs);
      return compute(backend, info.outShape, (out) =>
        native.conv(0, f32(backend, x), f32(backend, filter), out, dims(info)),
      );
    }),
    wrap('Conv2DBackpropInput', ({ inputs, backend, attrs }) => {
      const { dy, filter } = inputs;
      if (!usable({ inputs, backend, attrs }, dy, filter) || !attrs.inputShape) return undefined;
      const info = convInfo(attrs.inputShape, filter.shape as Shape4, attrs);
      return compute(backend, info.inShape, (out) =>
        native.conv(1, f32(backend, dy), f32(backend, filter), out, dims(info)),
      );
    }),
    wrap('Conv2DBackpropFilter', ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      if (!usable({ inputs, backend, attrs }, x, dy) || !attrs.filterShape) return undefined;
      const info = convInfo(x.shape as Shape4, attrs.filterShape, attrs);
      return compute(backend, attrs.filterShape, (out) =>
        native.conv(2, f32(backend, x), f32(backend, dy), out, dims(info)),
      );
    }),
  ];
}

interface NativeArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs: ConvAttrs & { inputShape?: Shape4; filterShape?: Shape4 };
}
