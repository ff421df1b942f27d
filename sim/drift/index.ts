export type { DriftKind, DriftSpec, DriftDefinition, ImageTransform } from './types.ts';
export { DRIFT_KINDS } from './types.ts';
export { DRIFTS, getDrift, isDriftKind } from './registry.ts';
export { parseDrift, describeDrift, applyDrift, driftTransform } from './apply.ts';
export { rotateImage, rotationMap, buildSamplingMap, applySamplingMap } from './rotate.ts';
export { shiftHue } from './hue.ts';
export { scaleBrightness } from './brightness.ts';
export { adjustSaturation, luma } from './saturation.ts';
export { rgbToHsv, hsvToRgb } from './hsv.ts';
