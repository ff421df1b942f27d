/** Turns a /predict body (numbers or a PNG) into one HWC Float32 image in [0, 1]. */
import { PNG } from 'pngjs';
import { checkPng, PngRejected } from './png-header.ts';

/** A body that is not an image of the served shape; `field` names the offending part (HTTP 400). */
export class InvalidImageError extends Error {
  constructor(
    message: string,
    readonly field: 'body' | 'body.image',
  ) {
    super(message);
  }
}

export interface InputShape {
  height: number;
  width: number;
  channels: number;
}

export function imageFromNumbers(
  image: readonly number[] | readonly (readonly number[])[],
  scale: 'unit' | '255',
  shape: InputShape,
): Float32Array {
  // Array.prototype.flat costs ~0.1 ms on 784 numbers: only nested rows need it.
  const nested = Array.isArray(image[0]);
  const flat = (nested ? (image as readonly (readonly number[])[]).flat() : image) as readonly number[];
  const expected = shape.height * shape.width * shape.channels;
  if (flat.length !== expected) {
    throw new InvalidImageError(
      `invalid body.image: expected ${expected} values (${shape.height}x${shape.width}), got ${flat.length}`,
      'body.image',
    );
  }
  if (
    nested &&
    (image.length !== shape.height ||
      image.some((r) => (r as number[]).length !== shape.width * shape.channels))
  ) {
    throw new InvalidImageError(
      `invalid body.image: expected ${shape.height} rows of ${shape.width * shape.channels}`,
      'body.image',
    );
  }
  const max = scale === '255' ? 255 : 1;
  const out = new Float32Array(expected);
  for (let i = 0; i < expected; i++) {
    const v = flat[i];
    if (v < 0 || v > max) {
      throw new InvalidImageError(`invalid body.image: values must be in [0, ${max}]`, 'body.image');
    }
    out[i] = v / max;
  }
  return out;
}

export function imageFromPng(data: Buffer, shape: InputShape): Float32Array {
  let png: PNG;
  try {
    // Header, size and image data checked before anything is decoded (png-header.ts).
    checkPng(data, shape.width, shape.height);
    png = PNG.sync.read(data);
  } catch (error) {
    const reason = error instanceof PngRejected ? error.message : 'not a PNG image';
    throw new InvalidImageError(`invalid body: ${reason}`, 'body');
  }
  if (png.data.length !== 4 * shape.width * shape.height) {
    throw new InvalidImageError('invalid body: PNG did not decode to a whole image', 'body');
  }
  const out = new Float32Array(shape.height * shape.width * shape.channels);
  for (let p = 0; p < shape.height * shape.width; p++) {
    const [r, g, b] = [png.data[4 * p], png.data[4 * p + 1], png.data[4 * p + 2]];
    if (shape.channels === 1) out[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else for (const [c, v] of [r, g, b].entries()) out[p * 3 + c] = v / 255;
  }
  return out;
}
