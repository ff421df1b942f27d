export type { DriftKind, DriftSpec, DriftDefinition, ImageTransform, Interpolation } from './types.ts';
export { DRIFT_KINDS, INTERPOLATIONS } from './types.ts';
export { DRIFTS, driftKindSchema, getDrift, isDriftKind } from './registry.ts';
export { parseDrift, normaliseDrift, describeDrift, applyDrift, driftTransform } from './apply.ts';
export {
  rotateImage,
  rotationMap,
  rotationSource,
  buildSamplingMap,
  buildNearestMap,
  applySamplingMap,
} from './rotate.ts';
export { shiftHue } from './hue.ts';
export { scaleBrightness } from './brightness.ts';
export { adjustSaturation, luma } from './saturation.ts';
export { rgbToHsv, hsvToRgb } from './hsv.ts';
