import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';

/**
 * The part of tfjs-backend-wasm's BackendWasm that our kernels use. The package does not
 * export the class type from its Node entry, so it is described here, structurally.
 */
export interface WasmBackend extends tf.KernelBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId, force?: boolean): boolean;
}

type Attrs = Record<string, unknown>;

/** Runs another registered wasm kernel from inside a kernel (no tape, no engine bookkeeping). */
export function runKernel(
  backend: WasmBackend,
  name: string,
  inputs: Record<string, TensorInfo>,
  attrs: Attrs = {},
): TensorInfo {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel ${name} is not registered`);
  const out = config.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees kernel intermediates. */
export function release(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return runKernel(backend, 'Transpose', { x }, { perm });
}

/** Replaces a wasm kernel, keeping the built-in setup function (it binds the wasm exports
 * that the built-in kernel function, still used as a fallback, needs). */
export function overrideWasmKernel(config: KernelConfig): KernelConfig | undefined {
  const builtIn = tf.getKernel(config.kernelName, 'wasm');
  if (builtIn) tf.unregisterKernel(config.kernelName, 'wasm');
  tf.registerKernel({ ...config, setupFunc: config.setupFunc ?? builtIn?.setupFunc });
  return builtIn;
}
