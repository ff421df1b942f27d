import { createImageSet, mapImages, type ImageSet, type ImageShape } from '../data/image-set.ts';
import { DRIFT_KINDS, type DriftSpec, type ImageTransform, type Interpolation } from './types.ts';
import { getDrift, isDriftKind } from './registry.ts';

/**
 * Parses a drift list such as "rotate:4", "rotate:4:bilinear" or "hue:0.02,brightness:0.05"
 * (kind:step[:interpolation], comma-separated; an empty string means no drift). A geometric
 * drift always carries its interpolation (default: the drift's first, torchvision's), so
 * that results record it.
 */
export function parseDrift(text: string): DriftSpec[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  return trimmed.split(',').map((part) => {
    const [kind, step, mode, ...rest] = part.trim().split(':');
    if (!isDriftKind(kind)) {
      throw new Error(`unknown drift kind '${kind}' in '${text}' (known: ${DRIFT_KINDS.join(', ')})`);
    }
    const example = kind === 'rotate' ? 'rotate:4' : `${kind}:0.02`;
    const value = Number(step);
    if (rest.length > 0 || step === undefined || step.trim() === '' || !Number.isFinite(value)) {
      throw new Error(`drift '${part.trim()}' needs a numeric step, e.g. '${example}'`);
    }
    return normaliseDrift({ kind, step: value }, mode);
  });
}

/** Fills in a geometric drift's default interpolation and checks a given one. */
export function normaliseDrift(spec: DriftSpec, mode: string | undefined = spec.interpolation): DriftSpec {
  const allowed = getDrift(spec.kind).interpolations;
  if (!allowed) {
    if (mode !== undefined) throw new Error(`drift '${spec.kind}' takes no interpolation (got '${mode}')`);
    return { kind: spec.kind, step: spec.step };
  }
  const interpolation = mode ?? allowed[0];
  if (!(allowed as readonly string[]).includes(interpolation)) {
    throw new Error(
      `drift '${spec.kind}' interpolation must be one of ${allowed.join(', ')}, got '${interpolation}'`,
    );
  }
  return { kind: spec.kind, step: spec.step, interpolation: interpolation as Interpolation };
}

/** "rotate 4 degrees/step" style text for a drift list, or "no drift". */
export function describeDrift(drifts: readonly DriftSpec[], stepIndex?: number): string {
  if (drifts.length === 0) return 'no drift';
  return drifts
    .map((d) => {
      const unit = getDrift(d.kind).unit;
      const mode = d.interpolation ? ` (${d.interpolation})` : '';
      const base = `${d.kind} ${d.step} ${unit}/step${mode}`;
      return stepIndex === undefined
        ? base
        : `${base} (step ${stepIndex}: ${formatAmount(d.step * stepIndex)})`;
    })
    .join(' + ');
}

/** The composed transform at update `stepIndex`, in list order; built once per call. */
export function driftTransform(
  drifts: readonly DriftSpec[],
  stepIndex: number,
  shape: ImageShape,
): ImageTransform {
  const parts = drifts.map((d) => getDrift(d.kind).makeTransform(d.step * stepIndex, shape, d.interpolation));
  return (image) => parts.reduce((img, f) => f(img), image);
}

/**
 * The set with every image drifted to update `stepIndex` (amount stepIndex * step per drift,
 * composed in list order). Step 0 or an empty list returns an unchanged copy.
 */
export function applyDrift(set: ImageSet, drifts: readonly DriftSpec[], stepIndex: number): ImageSet {
  if (!Number.isFinite(stepIndex)) throw new Error(`drift step index must be finite, got ${stepIndex}`);
  if (stepIndex === 0 || drifts.length === 0) {
    return createImageSet(set, set.images.slice(), set.labels.slice(), set.numClasses);
  }
  return mapImages(set, driftTransform(drifts, stepIndex, set));
}

function formatAmount(x: number): string {
  return String(Number(x.toPrecision(6)));
}
