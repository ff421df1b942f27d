import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { imageFromPng, InvalidImageError } from '../../services/predict/image-input.ts';
import { checkPng } from '../../services/predict/png-header.ts';

const shape = { height: 28, width: 28, channels: 1 };

function png(
  options: { width?: number; height?: number; colorType?: 0 | 2 | 6; bitDepth?: 8 | 16 } = {},
): Buffer {
  const image = new PNG({ width: options.width ?? 28, height: options.height ?? 28 });
  for (let i = 0; i < image.data.length; i += 4) image.data.set([i % 256, 0, 0, 255], i);
  return PNG.sync.write(image, { colorType: options.colorType ?? 0, bitDepth: options.bitDepth ?? 8 });
}

/** A PNG built chunk by chunk (CRCs left zero: the checks here run before any CRC). */
function chunked(
  ihdr: { width: number; height: number; bitDepth?: number; colorType?: number; interlace?: number },
  idat: Buffer[],
  end = true,
): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    return Buffer.concat([head, body, Buffer.alloc(4)]);
  };
  const h = Buffer.alloc(13);
  h.writeUInt32BE(ihdr.width, 0);
  h.writeUInt32BE(ihdr.height, 4);
  h[8] = ihdr.bitDepth ?? 8;
  h[9] = ihdr.colorType ?? 0;
  h[12] = ihdr.interlace ?? 0;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', h),
    ...idat.map((d) => chunk('IDAT', d)),
    ...(end ? [chunk('IEND', Buffer.alloc(0))] : []),
  ]);
}

const rejects = (data: Buffer, pattern: RegExp) =>
  assert.throws(
    () => imageFromPng(data, shape),
    (e: Error) => e instanceof InvalidImageError && e.field === 'body' && pattern.test(e.message),
  );

test('valid grayscale, RGB, RGBA and 16-bit PNGs decode to the model input', () => {
  for (const options of [
    {},
    { colorType: 2 as const },
    { colorType: 6 as const },
    { bitDepth: 16 as const },
  ]) {
    const image = imageFromPng(png(options), shape);
    assert.equal(image.length, 784);
    assert.ok(image.every((v) => v >= 0 && v <= 1));
  }
  assert.deepEqual(checkPng(png(), 28, 28), { width: 28, height: 28, bitDepth: 8, colorType: 0 });
});

test('a header claiming a huge image is refused before anything is inflated or decoded', () => {
  // 74 bytes claiming 12000 x 12000: the size is read from IHDR, nothing is allocated for it.
  const bomb = chunked({ width: 12000, height: 12000 }, [deflateSync(Buffer.alloc(10))]);
  assert.ok(bomb.length < 100);
  rejects(bomb, /PNG must be 28x28, got 12000x12000/);
  rejects(png({ width: 29 }), /PNG must be 28x28, got 29x28/);
});

test('damaged, truncated, empty or oversized image data is a 400, never a prediction', () => {
  const rowBytes = 1 + 28;
  rejects(chunked({ width: 28, height: 28 }, []), /no image data/);
  rejects(chunked({ width: 28, height: 28 }, [deflateSync(Buffer.alloc(0))]), /0 bytes, expected 812/);
  rejects(
    chunked({ width: 28, height: 28 }, [deflateSync(Buffer.alloc(rowBytes * 27))]),
    /783 bytes, expected 812/,
  );
  rejects(chunked({ width: 28, height: 28 }, [Buffer.from('not zlib at all')]), /damaged/);
  // A zlib bomb behind a small header: inflating stops just past the expected size.
  rejects(chunked({ width: 28, height: 28 }, [deflateSync(Buffer.alloc(50_000_000))]), /damaged or larger/);
  rejects(chunked({ width: 28, height: 28 }, [deflateSync(Buffer.alloc(812))], false), /truncated/);
  const valid = png();
  rejects(valid.subarray(0, valid.length - 20), /truncated|runs past/);
  rejects(Buffer.from('GIF89a not a png at all, but long enough to have a header'), /not a PNG/);
});

test('unsupported formats are named', () => {
  rejects(
    chunked({ width: 28, height: 28, colorType: 5 }, [deflateSync(Buffer.alloc(812))]),
    /colour type 5/,
  );
  rejects(
    chunked({ width: 28, height: 28, colorType: 2, bitDepth: 4 }, [deflateSync(Buffer.alloc(812))]),
    /bit depth 4/,
  );
  rejects(chunked({ width: 28, height: 28, interlace: 1 }, [deflateSync(Buffer.alloc(812))]), /interlaced/);
});
