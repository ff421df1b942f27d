/**
 * Checks a PNG before it is decoded, so that a tiny file cannot make the server allocate
 * for a huge image (a 74-byte PNG can claim 12000 x 12000 pixels) and a damaged one cannot
 * be answered from whatever the decoder's buffer held: the signature, the IHDR chunk, every
 * chunk's bounds, and the exact size of the inflated image data, bounded while inflating.
 */
import { inflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Channels per colour type (PNG spec, IHDR): gray, RGB, palette, gray + alpha, RGBA. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
}

export class PngRejected extends Error {}

/**
 * The header of a PNG whose image data is complete and of the expected size for a
 * `width` x `height` image; throws PngRejected with the reason otherwise.
 */
export function checkPng(data: Buffer, width: number, height: number): PngHeader {
  if (data.length < 8 + 25 || !data.subarray(0, 8).equals(SIGNATURE))
    throw new PngRejected('not a PNG image');
  if (data.readUInt32BE(8) !== 13 || data.toString('latin1', 12, 16) !== 'IHDR')
    throw new PngRejected('not a PNG image (no IHDR chunk first)');
  const header: PngHeader = {
    width: data.readUInt32BE(16),
    height: data.readUInt32BE(20),
    bitDepth: data[24],
    colorType: data[25],
  };
  if (header.width !== width || header.height !== height)
    throw new PngRejected(`PNG must be ${width}x${height}, got ${header.width}x${header.height}`);
  const channels = CHANNELS[header.colorType];
  if (channels === undefined) throw new PngRejected(`unsupported PNG colour type ${header.colorType}`);
  if (
    ![1, 2, 4, 8, 16].includes(header.bitDepth) ||
    (header.colorType !== 0 && header.colorType !== 3 && header.bitDepth < 8)
  )
    throw new PngRejected(`unsupported PNG bit depth ${header.bitDepth} for colour type ${header.colorType}`);
  if (data[28] !== 0) throw new PngRejected('interlaced PNGs are not supported');

  const idat: Buffer[] = [];
  let at = 8;
  let ended = false;
  while (at + 12 <= data.length) {
    const length = data.readUInt32BE(at);
    const type = data.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > data.length)
      throw new PngRejected(`PNG chunk ${type} runs past the end of the file`);
    if (type === 'IDAT') idat.push(data.subarray(at + 8, at + 8 + length));
    at += 12 + length;
    if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!ended) throw new PngRejected('PNG is truncated (no IEND chunk)');
  if (idat.length === 0) throw new PngRejected('PNG has no image data');
  // One filter byte per row, then the row's bits rounded up to bytes.
  const rowBytes = Math.ceil((width * channels * header.bitDepth) / 8);
  const expected = height * (1 + rowBytes);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch {
    throw new PngRejected('PNG image data is damaged or larger than the image');
  }
  if (raw.length !== expected)
    throw new PngRejected(`PNG image data has ${raw.length} bytes, expected ${expected}`);
  return header;
}
