/**
 * The simulator's data currency: a batch of images in NHWC layout with values in [0, 1],
 * as plain typed arrays. Drifts and triggers are pure functions on these; tensors are made
 * only at the training/evaluation boundary.
 */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface ImageSet extends ImageShape {
  /** count * height * width * channels values in [0, 1], NHWC. */
  readonly images: Float32Array;
  /** count class labels. */
  readonly labels: Int32Array;
  readonly count: number;
  readonly numClasses: number;
}

export function imageSize(shape: ImageShape): number {
  return shape.height * shape.width * shape.channels;
}

export function createImageSet(
  shape: ImageShape,
  images: Float32Array,
  labels: Int32Array,
  numClasses: number,
): ImageSet {
  const size = imageSize(shape);
  if (images.length !== labels.length * size) {
    throw new Error(`image buffer holds ${images.length} values, expected ${labels.length} x ${size}`);
  }
  return {
    height: shape.height,
    width: shape.width,
    channels: shape.channels,
    images,
    labels,
    count: labels.length,
    numClasses,
  };
}

/** The images at the given indices, copied. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const size = imageSize(set);
  const images = new Float32Array(indices.length * size);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    images.set(set.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = set.labels[j];
  }
  return createImageSet(set, images, labels, set.numClasses);
}

/** Concatenation of sets of one shape. */
export function concat(sets: readonly ImageSet[]): ImageSet {
  if (sets.length === 0) throw new Error('concat needs at least one set');
  const first = sets[0];
  const count = sets.reduce((n, s) => n + s.count, 0);
  const images = new Float32Array(count * imageSize(first));
  const labels = new Int32Array(count);
  let at = 0;
  for (const s of sets) {
    if (s.height !== first.height || s.width !== first.width || s.channels !== first.channels) {
      throw new Error('concat: image shapes differ');
    }
    images.set(s.images, at * imageSize(first));
    labels.set(s.labels, at);
    at += s.count;
  }
  return createImageSet(first, images, labels, first.numClasses);
}

/** A new set with each image replaced by fn(image) (fn gets and returns one HWC image). */
export function mapImages(set: ImageSet, fn: (image: Float32Array, index: number) => Float32Array): ImageSet {
  const size = imageSize(set);
  const out = new Float32Array(set.images.length);
  for (let i = 0; i < set.count; i++) {
    const result = fn(set.images.subarray(i * size, (i + 1) * size), i);
    if (result.length !== size) throw new Error(`mapImages: got ${result.length} values, expected ${size}`);
    out.set(result, i * size);
  }
  return createImageSet(set, out, set.labels.slice(), set.numClasses);
}
