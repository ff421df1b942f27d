import { firstCheckpointBelow } from './bounds.ts';
import type { TheoryResult } from './study.ts';

const fmt = (x: number, digits = 3): string =>
  Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(digits);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const iters = (x: number | null): string => (x === null ? '> run' : String(x));

/** The ASR threshold of survivability (the paper's gamma = 0.5). */
export const SURVIVAL_GAMMA = 0.5;

/** theory.md: the constants, Lemma 4.2 per ratio, and measured vs bound iterations per epsilon. */
export function theoryMarkdown(result: TheoryResult): string {
  const c = result.constants;
  const schedules = result.ratios[0]?.schedules ?? [];
  const lines = [
    `# Section 4 on softmax regression + L2 (λ = ${c.lambda})`,
    '',
    `D0 ${result.data.d0} images, poison set ${result.data.poison}, test ${result.data.test} (ASR on ${result.data.asrTest}); ` +
      `θ₀*: clean accuracy ${pct(result.clean.accuracy)}, ASR ${pct(result.clean.asr)}. ` +
      `${result.options.iterations} SGD iterations, batch ${result.options.batchSize}, ${result.options.repeats} stream(s); ` +
      `${result.wallSeconds.toFixed(0)} s on ${result.machine}.`,
    '',
    '## Constants (at θ₀*)',
    '',
    '| constant | value | how |',
    '| --- | --- | --- |',
    `| σ_b = σ_p | ${fmt(c.sigmaB)} | λ: exact (curvature along the softmax shift direction: ${fmt(c.invarianceCurvature.clean, 6)} clean, ${fmt(c.invarianceCurvature.poison, 6)} poison) |`,
    `| λ_min(H_D0), power iteration | ${fmt(c.sigmaBPower.value, 5)} | on (γ I − H), ${c.sigmaBPower.iterations} its, residual ${fmt(c.sigmaBPower.residual)}; an upper estimate |`,
    `| λ_min(H_p), power iteration | ${fmt(c.sigmaPPower.value, 5)} | on (γ I − H), ${c.sigmaPPower.iterations} its, residual ${fmt(c.sigmaPPower.residual)} |`,
    `| γ_b (local) | ${fmt(c.gammaB.value)} | λ_max(H_D0) by power iteration, ${c.gammaB.iterations} its, residual ${fmt(c.gammaB.residual)} |`,
    `| γ_p (local) | ${fmt(c.gammaP.value)} | λ_max(H_p) by power iteration, ${c.gammaP.iterations} its, residual ${fmt(c.gammaP.residual)} |`,
    `| γ_b, γ_p (global) | ${fmt(c.gammaBGlobal)}, ${fmt(c.gammaPGlobal)} | λ + λ_max(E[x xᵀ]) / 2 |`,
    `| ‖∇L_p(θ₀*)‖ | ${fmt(c.poisonGradNorm)} | Lemma 4.2's numerator |`,
    '',
    '## Lemma 4.2 per poison ratio',
    '',
    '| α | σ_mix | ASR of θ_mix | clean acc. of θ_mix | ‖θ_mix − θ₀*‖ | Lemma 4.2 bound | proof assumes ‖θ_mix − θ₀*‖ > γ_b²/σ_b² |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.ratios.map(
      (r) =>
        `| ${r.alpha} | ${fmt(r.sigmaMix)} | ${pct(r.asr)} | ${pct(r.accuracy)} | ${fmt(r.distanceToClean)} | ${fmt(r.lemmaBound)} | ${r.proofAssumptionHolds ? 'holds' : `fails (${fmt((c.gammaB.value / c.sigmaB) ** 2)})`} |`,
    ),
    '',
    '## Theorem 4.3: iterations to ε-closeness (mean distance), measured vs bound',
    '',
    `| α | ε | bound, γ_p | bound, ‖∇L_p(θ₀*)‖ | ${schedules.map((s) => s.label).join(' | ')} |`,
    `| --- | --- | --- | --- | ${schedules.map(() => '---').join(' | ')} |`,
    ...result.ratios.flatMap((r) =>
      r.bound.map(
        (b, e) =>
          `| ${r.alpha} | ${b.epsilon} | ${fmt(b.gammaP, 1)} | ${fmt(b.gradNorm, 1)} | ${r.schedules.map((s) => iters(s.iterationsTo[e].measured)).join(' | ')} |`,
      ),
    ),
    '',
    '## ASR and distance after fine-tuning',
    '',
    `| α | ${schedules.map((s) => `${s.label}: ASR, ‖θ_T − θ₀*‖`).join(' | ')} |`,
    `| --- | ${schedules.map(() => '---').join(' | ')} |`,
    ...result.ratios.map(
      (r) =>
        `| ${r.alpha} | ${r.schedules.map((s) => `${pct(s.curve.at(-1)?.asr ?? NaN)}, ${fmt(s.finalDistance)}`).join(' | ')} |`,
    ),
    '',
    `## Backdoor survival: first measured iteration with ASR < ${pct(SURVIVAL_GAMMA)}`,
    '',
    'The convex counterpart of survivability (counted in SGD iterations, at the checkpoints: ' +
      `${result.ratios[0]?.schedules[0]?.curve.length ?? 0} log-spaced steps).`,
    '',
    `| α | ${schedules.map((s) => s.label).join(' | ')} |`,
    `| --- | ${schedules.map(() => '---').join(' | ')} |`,
    ...result.ratios.map(
      (r) =>
        `| ${r.alpha} | ${r.schedules.map((s) => iters(firstCheckpointBelow(s.curve, SURVIVAL_GAMMA))).join(' | ')} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
