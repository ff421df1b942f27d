import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../models/model.ts';
import { loadedNativeKernels, type NativeKernels, type NativeNetHandle } from '../native/index.ts';
import { PLAN_STRIDE, PlanOp, planFor, type NetPlan } from './plan.ts';

type NetKernels = Required<
  Pick<
    NativeKernels,
    | 'netCreate'
    | 'netSetParam'
    | 'netGetParam'
    | 'netResetMomentum'
    | 'netTrainStep'
    | 'netPredict'
    | 'netRelease'
  >
>;

function netKernels(): NetKernels | undefined {
  const k = loadedNativeKernels();
  if (!k?.netCreate || !k.netSetParam || !k.netGetParam || !k.netResetMomentum || !k.netTrainStep)
    return undefined;
  if (!k.netPredict || !k.netRelease) return undefined;
  return k as NetKernels;
}

/**
 * Whether training and evaluation go through the native net: the wasm backend with the
 * oneDNN addon loaded (the fast path), unless PERMANENCE_NATIVE_STEP=0 keeps them on tfjs
 * ops (the reference the tests compare against).
 */
export function nativeNetAvailable(): boolean {
  return (
    process.env.PERMANENCE_NATIVE_STEP !== '0' && tf.getBackend() === 'wasm' && netKernels() !== undefined
  );
}

/**
 * A model mirrored in the native addon (src/net.cc): its weights and BatchNorm statistics
 * are copied in by `load`, trained there step by step, and copied back by `store`.
 */
export class NativeNet {
  private constructor(
    private readonly kernels: NetKernels,
    private readonly handle: NativeNetHandle,
    private readonly plan: NetPlan,
    private readonly variables: readonly tf.Variable[],
  ) {}

  /** The native twin of `model`, or undefined off the fast path. */
  static forModel(model: Model): NativeNet | undefined {
    const kernels = netKernels();
    if (!kernels || !nativeNetAvailable()) return undefined;
    const plan = planFor(model.spec);
    const variables = plan.params.map((name) => model.trainable.get(name) ?? model.state.get(name));
    if (variables.some((v) => v === undefined)) return undefined;
    // Every trainable weight must be in the plan, else the native step would skip it.
    if ([...model.trainable.keys()].some((name) => !plan.params.includes(name))) return undefined;
    const vars = variables as tf.Variable[];
    const handle = kernels.netCreate(
      plan.ops,
      plan.input,
      plan.classes,
      plan.logitScale,
      Int32Array.from(vars, (v) => v.size),
      Uint8Array.from(plan.params, (name) => (model.trainable.has(name) ? 1 : 0)),
    );
    const net = new NativeNet(kernels, handle, plan, vars);
    net.load();
    return net;
  }

  /** Copies the model's variables into the native net. */
  load(): void {
    this.variables.forEach((v, i) => this.kernels.netSetParam(this.handle, i, v.dataSync() as Float32Array));
  }

  /** Copies the native net's weights and statistics back into the model's variables. */
  store(): void {
    tf.tidy(() => {
      this.variables.forEach((v, i) => {
        const values = new Float32Array(v.size);
        this.kernels.netGetParam(this.handle, i, values);
        v.assign(tf.tensor(values, v.shape, 'float32'));
      });
    });
  }

  /** Frees the native activations and primitives (the model's variables are untouched). */
  dispose(): void {
    this.kernels.netRelease(this.handle);
  }

  resetMomentum(): void {
    this.kernels.netResetMomentum(this.handle);
  }

  /** One SGD-momentum step on images order[0, n) of a set; returns the batch's mean loss. */
  trainStep(
    images: Float32Array,
    labels: Int32Array,
    order: Int32Array,
    lr: number,
    sgd: { momentum: number; weightDecay: number },
  ): number {
    return this.kernels.netTrainStep(
      this.handle,
      images,
      labels,
      order,
      order.length,
      lr,
      sgd.momentum,
      sgd.weightDecay,
    );
  }

  /**
   * Milliseconds per plan entry since the last call, forward and backward (the profile of
   * bench/profile-train.ts); undefined when the addon cannot time.
   */
  timings(): { label: string; forwardMs: number; backwardMs: number }[] | undefined {
    const read = loadedNativeKernels()?.netTimings;
    if (!read) return undefined;
    const nodes = this.plan.ops.length / PLAN_STRIDE;
    const out = new Float64Array(2 * nodes + 2);
    read(this.handle, out);
    const names = Object.fromEntries(Object.entries(PlanOp).map(([k, v]) => [v, k]));
    const rows = Array.from({ length: nodes }, (_, i) => {
      const op = this.plan.ops[i * PLAN_STRIDE];
      const shape = this.plan.ops.subarray(i * PLAN_STRIDE + 4, i * PLAN_STRIDE + 8).join('x');
      return { label: `${i} ${names[op]} ${shape}`, forwardMs: out[i], backwardMs: out[nodes + i] };
    });
    rows.push({ label: 'loss', forwardMs: out[2 * nodes], backwardMs: 0 });
    rows.push({ label: 'sgd', forwardMs: 0, backwardMs: out[2 * nodes + 1] });
    return rows;
  }

  /** Inference-mode logits of images [from, from + n) of a set, [n, classes]. */
  predict(images: Float32Array, from: number, n: number): Float32Array {
    const logits = new Float32Array(n * this.plan.classes);
    this.kernels.netPredict(this.handle, images, from, n, logits);
    return logits;
  }
}
