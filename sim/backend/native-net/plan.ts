import type { ModelSpec } from '../../models/model.ts';

/** Plan ops of the native net (src/net.cc); every entry is PLAN_STRIDE ints. */
export const PlanOp = { cbr: 1, add: 3, globalMax: 4, dense: 5 } as const;
/** cbr flag: a 2x2 max-pool follows, fused into the unit. */
export const POOLED = 1;
export const PLAN_STRIDE = 14;

/**
 * A model's graph for the native training step: ops over numbered NHWC buffers (0 is the
 * input batch) and the parameters they read, by their names in the model's maps.
 */
export interface NetPlan {
  readonly ops: Int32Array;
  readonly input: readonly [number, number, number];
  readonly classes: number;
  readonly logitScale: number;
  /** Parameter names in the order the native net indexes them. */
  readonly params: readonly string[];
}

interface Shape {
  readonly buffer: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
}

/** Builds a plan layer by layer, mirroring the functional layers of sim/models/. */
class PlanBuilder {
  private readonly entries: number[] = [];
  private readonly names: string[] = [];
  private buffers = 1;

  param(name: string): number {
    const at = this.names.indexOf(name);
    if (at >= 0) return at;
    this.names.push(name);
    return this.names.length - 1;
  }

  private emit(
    op: number,
    inputs: readonly [number, number],
    dims: readonly number[],
    p: readonly number[],
    flags = 0,
  ): number {
    const out = this.buffers++;
    const row = [op, inputs[0], inputs[1], out, ...dims, ...p];
    while (row.length < PLAN_STRIDE - 1) row.push(-1);
    this.entries.push(...row, flags);
    return out;
  }

  /**
   * layers.ts convBnRelu: conv3x3 'same' - BatchNorm - ReLU; with `pool`, then maxPool2
   * (2x2, stride 2, 'valid': odd sizes drop the last row/column), fused into one unit.
   */
  convBnRelu(x: Shape, name: string, out: number, pool = false): Shape {
    const p = ['conv.kernel', 'bn.gamma', 'bn.beta', 'bn.running_mean', 'bn.running_var'].map((s) =>
      this.param(`${name}.${s}`),
    );
    const buffer = this.emit(PlanOp.cbr, [x.buffer, -1], [x.h, x.w, x.c, out], p, pool ? POOLED : 0);
    return pool
      ? { buffer, h: Math.floor(x.h / 2), w: Math.floor(x.w / 2), c: out }
      : { ...x, c: out, buffer };
  }

  add(a: Shape, b: Shape): Shape {
    return { ...a, buffer: this.emit(PlanOp.add, [a.buffer, b.buffer], [a.h, a.w, a.c, a.c], []) };
  }

  globalMax(x: Shape): Shape {
    return {
      buffer: this.emit(PlanOp.globalMax, [x.buffer, -1], [x.h, x.w, x.c, x.c], []),
      h: 1,
      w: 1,
      c: x.c,
    };
  }

  /** layers.ts dense on the NHWC-flattened input. */
  dense(x: Shape, name: string, out: number, bias: boolean): Shape {
    const features = x.h * x.w * x.c;
    const p = [this.param(`${name}.kernel`), bias ? this.param(`${name}.bias`) : -1];
    return { buffer: this.emit(PlanOp.dense, [x.buffer, -1], [1, 1, features, out], p), h: 1, w: 1, c: out };
  }

  finish(spec: ModelSpec): NetPlan {
    return {
      ops: Int32Array.from(this.entries),
      input: [spec.height, spec.width, spec.channels],
      classes: spec.numClasses,
      logitScale: spec.logitScale,
      params: [...this.names],
    };
  }
}

const widthOf = (spec: ModelSpec, channels: number): number =>
  Math.max(1, Math.round(channels * spec.widthMultiplier));

/** sim/models/small-cnn.ts as a plan. */
function smallCnnPlan(spec: ModelSpec): NetPlan {
  const b = new PlanBuilder();
  let h: Shape = { buffer: 0, h: spec.height, w: spec.width, c: spec.channels };
  h = b.convBnRelu(h, 'block1', widthOf(spec, 16), true);
  h = b.convBnRelu(h, 'block2', widthOf(spec, 32), true);
  b.dense(h, 'head', spec.numClasses, true);
  return b.finish(spec);
}

/** sim/models/resnet9.ts as a plan. */
function resnet9Plan(spec: ModelSpec): NetPlan {
  const b = new PlanBuilder();
  const w = (c: number): number => widthOf(spec, c);
  const residual = (x: Shape, name: string): Shape =>
    b.add(x, b.convBnRelu(b.convBnRelu(x, `${name}.a`, x.c), `${name}.b`, x.c));
  let h: Shape = { buffer: 0, h: spec.height, w: spec.width, c: spec.channels };
  h = b.convBnRelu(h, 'prep', w(64));
  h = b.convBnRelu(h, 'layer1', w(128), true);
  h = residual(h, 'res1');
  h = b.convBnRelu(h, 'layer2', w(256), true);
  h = b.convBnRelu(h, 'layer3', w(512), true);
  h = residual(h, 'res3');
  b.dense(b.globalMax(h), 'head', spec.numClasses, false);
  return b.finish(spec);
}

/** The plan of a model spec; both architectures of sim/models/ have one. */
export function planFor(spec: ModelSpec): NetPlan {
  return spec.arch === 'small-cnn' ? smallCnnPlan(spec) : resnet9Plan(spec);
}
