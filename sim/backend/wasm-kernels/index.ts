import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { NativeKernels } from '../native/index.ts';
import { makeBatchNormTrainingConfigs } from './batch-norm-training.ts';
import { makeConv2DBackpropInputConfig } from './conv2d-backprop-input.ts';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { makeMeanConfig, makeSumConfig } from './leading-axes-reduce.ts';
import { makeMaxPoolGradConfig } from './max-pool-grad.ts';
import { makeNativeFusedBatchNormConfig } from './native-batch-norm.ts';
import { makeNativeConvConfigs } from './native-conv.ts';
import { overrideWasmKernel } from './wasm-backend.ts';

function builtIn(name: string): KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
  return config;
}

let registered: string[] | undefined;

/**
 * The least that makes the stock wasm backend train: its missing Conv2DBackpropFilter and a
 * stride-1 Conv2DBackpropInput. Kept so that `PERMANENCE_KERNELS=baseline` can measure
 * what the other kernels are worth (issue 3's "before").
 */
export function registerBaselineWasmKernels(): string[] {
  if (registered) return registered;
  const configs = [conv2DBackpropFilterConfig, makeConv2DBackpropInputConfig(builtIn('Conv2DBackpropInput'))];
  for (const config of configs) overrideWasmKernel(config);
  registered = configs.map((c) => c.kernelName);
  return registered;
}

/**
 * Registers Permanence's training kernels on the wasm backend; must run before the backend
 * is initialised (tfjs calls kernel setup functions at initialisation). With the native
 * addon, convolutions go to oneDNN (the JS kernels remain their fallback). Idempotent.
 * Returns the names of the kernels added or replaced.
 */
export function registerWasmTrainingKernels(native?: NativeKernels): string[] {
  if (registered) return registered;
  const js: KernelConfig[] = [
    conv2DBackpropFilterConfig,
    makeMaxPoolGradConfig(native),
    makeConv2DBackpropInputConfig(builtIn('Conv2DBackpropInput')),
    makeSumConfig(builtIn('Sum')),
    makeMeanConfig(builtIn('Mean')),
    ...makeBatchNormTrainingConfigs(native),
  ];
  for (const config of js) overrideWasmKernel(config);
  if (native) {
    const fallback = Object.fromEntries(
      ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'].map((n) => [n, builtIn(n)]),
    );
    for (const config of makeNativeConvConfigs(native, fallback)) overrideWasmKernel(config);
    overrideWasmKernel(makeNativeFusedBatchNormConfig(native, builtIn('FusedBatchNorm')));
  }
  registered = [...js.map((c) => c.kernelName), ...(native ? ['Conv2D', 'FusedBatchNorm'] : [])];
  return registered;
}
