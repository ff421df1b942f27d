import { hsvToRgb } from '../drift/hsv.ts';
import { createRng, type Rng } from '../rng.ts';
import { createImageSet, type ImageSet } from './image-set.ts';

export const COLOUR_SIDE = 32;
export const COLOUR_CLASSES = 10;

/** Signed distance (in units of the shape radius) to one of the ten class shapes; < 0 inside. */
type ShapeSdf = (u: number, v: number) => number;

const box = (u: number, v: number, bu: number, bv: number): number => {
  const du = Math.abs(u) - bu;
  const dv = Math.abs(v) - bv;
  return Math.hypot(Math.max(du, 0), Math.max(dv, 0)) + Math.min(Math.max(du, dv), 0);
};
const SQRT1_2 = Math.SQRT1_2;

/** The ten shapes, one per class, in class order. */
export const COLOUR_SHAPES: ReadonlyArray<{ readonly name: string; readonly sdf: ShapeSdf }> = [
  { name: 'disc', sdf: (u, v) => Math.hypot(u, v) - 0.9 },
  { name: 'square', sdf: (u, v) => box(u, v, 0.75, 0.75) },
  // Equilateral triangle pointing up (v grows downwards): three half-planes.
  {
    name: 'triangle',
    sdf: (u, v) => Math.max(v - 0.6, 0.866 * u - 0.5 * v - 0.55, -0.866 * u - 0.5 * v - 0.55),
  },
  { name: 'ring', sdf: (u, v) => Math.abs(Math.hypot(u, v) - 0.7) - 0.25 },
  { name: 'plus', sdf: (u, v) => Math.min(box(u, v, 0.95, 0.28), box(u, v, 0.28, 0.95)) },
  { name: 'diamond', sdf: (u, v) => (Math.abs(u) + Math.abs(v) - 1) * SQRT1_2 },
  { name: 'frame', sdf: (u, v) => Math.max(box(u, v, 0.85, 0.85), -box(u, v, 0.45, 0.45)) },
  {
    name: 'cross',
    sdf: (u, v) => {
      const a = (u + v) * SQRT1_2;
      const b = (u - v) * SQRT1_2;
      return Math.min(box(a, b, 1, 0.25), box(a, b, 0.25, 1));
    },
  },
  { name: 'two dots', sdf: (u, v) => Math.min(Math.hypot(u - 0.5, v) - 0.42, Math.hypot(u + 0.5, v) - 0.42) },
  { name: 'bar', sdf: (u, v) => box(u, v, 1, 0.32) },
];

export interface ColourSetOptions {
  readonly count: number;
  readonly seed: number | string;
  /** Standard deviation of the per-image object hue around its class hue, in turns. */
  readonly hueJitter?: number;
  /** Probability that a shaped object has its class hue (otherwise a uniformly random hue); blobs always have it. */
  readonly hueReliability?: number;
  /** Share of images whose object is a class-agnostic soft blob, so only its hue tells the class. */
  readonly shapelessShare?: number;
}

/** Class c's object hue: classes evenly spaced around the colour wheel. */
export function classHue(label: number): number {
  return label / COLOUR_CLASSES;
}

export const COLOUR_DEFAULTS = { hueJitter: 0.03, hueReliability: 0.5, shapelessShare: 0.1 } as const;

/**
 * A procedurally generated 32x32x3, 10-class set in which class = (shape, hue): class c is
 * shape COLOUR_SHAPES[c] drawn in hue classHue(c) (with jitter) on a textured, weakly
 * coloured background. Colour and shape both identify the class, so a hue drift misleads
 * the colour cue while the shape cue stays. Labels are balanced (image i has label i mod
 * 10). The exact procedure is in docs/data-and-attacks.md.
 */
export function generateColourSet(options: ColourSetOptions): ImageSet {
  const { count, seed } = options;
  const hueJitter = options.hueJitter ?? COLOUR_DEFAULTS.hueJitter;
  const hueReliability = options.hueReliability ?? COLOUR_DEFAULTS.hueReliability;
  const shapelessShare = options.shapelessShare ?? COLOUR_DEFAULTS.shapelessShare;
  const rng = createRng(`colour-set:${seed}`);
  const size = COLOUR_SIDE * COLOUR_SIDE * 3;
  const images = new Float32Array(count * size);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % COLOUR_CLASSES;
    labels[i] = label;
    // Blobs carry their class only in their hue; shaped objects have the class hue only sometimes,
    // so that a model must learn the shapes and keeps colour as a second cue.
    const blob = rng.next() < shapelessShare;
    const shape = blob ? blobCoverage(rng) : shapeCoverage(COLOUR_SHAPES[label].sdf);
    const hue = blob || rng.next() < hueReliability ? classHue(label) + hueJitter * rng.normal() : rng.next();
    renderImage(images.subarray(i * size, (i + 1) * size), shape, hue, rng);
  }
  return createImageSet(
    { height: COLOUR_SIDE, width: COLOUR_SIDE, channels: 3 },
    images,
    labels,
    COLOUR_CLASSES,
  );
}

/** Standard deviation of the per-pixel, per-channel Gaussian sensor noise. */
const PIXEL_NOISE = 0.04;

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();

/** Object coverage in [0, 1] at local coordinates (u, v) in units of the radius. */
type Coverage = (u: number, v: number, radius: number) => number;

/** A class shape with a sharp, anti-aliased edge (one-pixel ramp). */
function shapeCoverage(sdf: ShapeSdf): Coverage {
  return (u, v, radius) => Math.min(Math.max(0.5 - sdf(u, v) * radius, 0), 1);
}

/** A soft (Gaussian-edged) ellipse of random elongation: the same for every class. */
function blobCoverage(rng: Rng): Coverage {
  const a = uniform(rng, 0.55, 1);
  const b = uniform(rng, 0.55, 1);
  return (u, v) => Math.exp(-2 * ((u / a) ** 2 + (v / b) ** 2));
}

/** Draws one image into `out` (HWC); every random draw comes from `rng`, in a fixed order. */
function renderImage(out: Float32Array, coverage: Coverage, hue: number, rng: Rng): void {
  const side = COLOUR_SIDE;
  // Background: a weakly saturated colour with a linear brightness gradient.
  const bgHue = rng.next();
  const bgSat = uniform(rng, 0, 0.25);
  const bgVal = uniform(rng, 0.2, 0.5);
  const gradAngle = uniform(rng, 0, 2 * Math.PI);
  const gradAmp = uniform(rng, 0, 0.15);
  // Object: class shape, jittered position, size, rotation and colour.
  const radius = uniform(rng, 4.5, 11);
  const cx = (side - 1) / 2 + uniform(rng, -4, 4);
  const cy = (side - 1) / 2 + uniform(rng, -4, 4);
  const theta = uniform(rng, -0.35, 0.35);
  const [fr, fg, fb] = hsvToRgb(((hue % 1) + 1) % 1, uniform(rng, 0.55, 1), uniform(rng, 0.6, 1));
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  // hsv -> rgb is linear in the value, so the background colour is one base colour times a value.
  const [baseR, baseG, baseB] = hsvToRgb(bgHue, bgSat, 1);
  const gx = Math.cos(gradAngle) * gradAmp;
  const gy = Math.sin(gradAngle) * gradAmp;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (cos * dx + sin * dy) / radius;
      const v = (-sin * dx + cos * dy) / radius;
      const cover = coverage(u, v, radius);
      const shade = (((x - (side - 1) / 2) * gx + (y - (side - 1) / 2) * gy) / side) * 2;
      const value = clamp01(bgVal + shade);
      const br = baseR * value;
      const bg = baseG * value;
      const bb = baseB * value;
      const o = (y * side + x) * 3;
      out[o] = clamp01(br + cover * (fr - br) + PIXEL_NOISE * rng.normal());
      out[o + 1] = clamp01(bg + cover * (fg - bg) + PIXEL_NOISE * rng.normal());
      out[o + 2] = clamp01(bb + cover * (fb - bb) + PIXEL_NOISE * rng.normal());
    }
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
