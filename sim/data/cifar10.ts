import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createImageSet, type ImageSet } from './image-set.ts';

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** 1 label byte + R, G, B planes of 32x32 bytes. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * PLANE;
export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';

/**
 * Reads the CIFAR-10 binary version (cifar-10-batches-bin): data_batch_1..5.bin for
 * training and test_batch.bin, each a sequence of 3073-byte records (label, then the
 * red, green and blue planes, row-major). Returns NHWC images in [0, 1] (byte / 255).
 */
export function loadCifar10Binary(dir: string): { train: ImageSet; test: ImageSet } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new Error(`CIFAR-10 folder '${dir}' not found (expected the extracted cifar-10-batches-bin)`);
  }
  const missing = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) throw new Error(`CIFAR-10 folder '${dir}' lacks ${missing.join(', ')}`);
  return {
    train: decodeCifar10Records(CIFAR10_TRAIN_FILES.map((f) => readFileSync(join(dir, f)))),
    test: decodeCifar10Records([readFileSync(join(dir, CIFAR10_TEST_FILE))]),
  };
}

/** Decodes concatenated CIFAR-10 binary records (planar RGB bytes) into an NHWC set. */
export function decodeCifar10Records(buffers: readonly Uint8Array[]): ImageSet {
  const count = buffers.reduce((n, b) => {
    if (b.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new Error(`CIFAR-10 batch of ${b.length} bytes is not a whole number of 3073-byte records`);
    }
    return n + b.length / CIFAR10_RECORD_BYTES;
  }, 0);
  const images = new Float32Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  let n = 0;
  for (const buf of buffers) {
    for (let off = 0; off < buf.length; off += CIFAR10_RECORD_BYTES, n++) {
      const label = buf[off];
      if (label > 9) throw new Error(`CIFAR-10 record ${n} has label ${label}`);
      labels[n] = label;
      const base = n * 3 * PLANE;
      for (let p = 0; p < PLANE; p++) {
        for (let c = 0; c < 3; c++) images[base + p * 3 + c] = buf[off + 1 + c * PLANE + p] / 255;
      }
    }
  }
  return createImageSet({ height: SIDE, width: SIDE, channels: 3 }, images, labels, 10);
}
