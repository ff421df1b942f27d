import type { Model } from '../models/model.ts';

/** One tensor in PyTorch's layout, flattened in row-major order. */
export interface TorchTensor {
  readonly shape: readonly number[];
  readonly data: number[];
}

/** A torch state_dict of the twin's SmallCnn (crosscheck/twin.py), by torch name. */
export type TorchStateDict = Readonly<Record<string, TorchTensor>>;

/** Permanence's parameter name for each torch name of the small CNN. */
const NAMES: Readonly<Record<string, string>> = {
  'conv1.weight': 'block1.conv.kernel',
  'bn1.weight': 'block1.bn.gamma',
  'bn1.bias': 'block1.bn.beta',
  'bn1.running_mean': 'block1.bn.running_mean',
  'bn1.running_var': 'block1.bn.running_var',
  'conv2.weight': 'block2.conv.kernel',
  'bn2.weight': 'block2.bn.gamma',
  'bn2.bias': 'block2.bn.beta',
  'bn2.running_mean': 'block2.bn.running_mean',
  'bn2.running_var': 'block2.bn.running_var',
  'head.weight': 'head.kernel',
  'head.bias': 'head.bias',
};

/** Conv kernel HWIO (tfjs) to OIHW (torch). */
export function hwioToOihw(values: ArrayLike<number>, [h, w, i, o]: readonly number[]): TorchTensor {
  const data = new Array<number>(values.length);
  for (let kh = 0; kh < h; kh++)
    for (let kw = 0; kw < w; kw++)
      for (let ci = 0; ci < i; ci++)
        for (let co = 0; co < o; co++)
          data[((co * i + ci) * h + kh) * w + kw] = values[((kh * w + kw) * i + ci) * o + co];
  return { shape: [o, i, h, w], data };
}

/**
 * Dense kernel [in, out] over an NHWC-flattened input to torch's Linear weight [out, in]
 * over an NCHW-flattened input (torch flattens channels first).
 */
export function denseToLinear(
  values: ArrayLike<number>,
  [features, out]: readonly number[],
  map: { height: number; width: number; channels: number },
): TorchTensor {
  const { height, width, channels } = map;
  if (height * width * channels !== features) throw new Error('dense input does not match the feature map');
  const data = new Array<number>(values.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        const nhwc = (y * width + x) * channels + c;
        const nchw = (c * height + y) * width + x;
        for (let o = 0; o < out; o++) data[o * features + nchw] = values[nhwc * out + o];
      }
  return { shape: [out, features], data };
}

/** The small CNN's weights and BatchNorm state as a torch state_dict of the twin's layout. */
export function torchStateDict(model: Model): TorchStateDict {
  if (model.spec.arch !== 'small-cnn') throw new Error('torch layout: small CNN only');
  const variables = new Map([...model.trainable, ...model.state]);
  const head = variables.get('head.kernel');
  if (!head) throw new Error('torch layout: the model has no head.kernel');
  const channels = head.shape[0] / (Math.floor(model.spec.height / 4) * Math.floor(model.spec.width / 4));
  const out: Record<string, TorchTensor> = {};
  for (const [torchName, name] of Object.entries(NAMES)) {
    const v = variables.get(name);
    if (!v) throw new Error(`torch layout: the model has no ${name}`);
    const values = v.dataSync();
    if (name.endsWith('conv.kernel')) out[torchName] = hwioToOihw(values, v.shape);
    else if (name === 'head.kernel') {
      out[torchName] = denseToLinear(values, v.shape, {
        height: Math.floor(model.spec.height / 4),
        width: Math.floor(model.spec.width / 4),
        channels,
      });
    } else out[torchName] = { shape: v.shape, data: Array.from(values) };
  }
  return out;
}
