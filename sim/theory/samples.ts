/**
 * Samples for the convex model of the paper's section 4: a design matrix in CSR form
 * (MNIST digits are about 80% zeros, so sparse rows make every pass ~5x cheaper) with
 * labels and per-sample weights that sum to 1, so that one loss function covers both
 * L_D0 (uniform weights) and L_mix = alpha L_p + (1 - alpha) L_D0 (two weight levels).
 */
export interface SampleSet {
  readonly count: number;
  /** Features per sample, without the bias. */
  readonly features: number;
  readonly classes: number;
  /** count + 1 offsets into cols/vals. */
  readonly rowPtr: Int32Array;
  readonly cols: Int32Array;
  readonly vals: Float64Array;
  readonly labels: Int32Array;
  /** Non-negative, summing to 1. */
  readonly weights: Float64Array;
}

/** A sample set from dense rows (count x features); uniform weights unless given. */
export function sampleSet(
  dense: ArrayLike<number>,
  labels: ArrayLike<number>,
  features: number,
  classes: number,
  weights?: ArrayLike<number>,
): SampleSet {
  const count = labels.length;
  if (dense.length !== count * features)
    throw new Error(`dense rows hold ${dense.length} values, expected ${count} x ${features}`);
  const rowPtr = new Int32Array(count + 1);
  let nnz = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++;
  const cols = new Int32Array(nnz);
  const vals = new Float64Array(nnz);
  let at = 0;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < features; j++) {
      const v = dense[i * features + j];
      if (v !== 0) {
        cols[at] = j;
        vals[at] = v;
        at++;
      }
    }
    rowPtr[i + 1] = at;
  }
  const y = Int32Array.from(labels);
  for (const label of y) {
    if (!Number.isInteger(label) || label < 0 || label >= classes)
      throw new Error(`label ${label} is not one of the ${classes} classes`);
  }
  const w = weights ? Float64Array.from(weights) : new Float64Array(count).fill(1 / count);
  if (w.length !== count) throw new Error(`${w.length} weights for ${count} samples`);
  return { count, features, classes, rowPtr, cols, vals, labels: y, weights: normalised(w) };
}

/**
 * The mixture share * a + (1 - share) * b as one set: the loss over it is
 * share L_a + (1 - share) L_b (the paper's L_mix with share = alpha, a = the poison set).
 */
export function mixture(a: SampleSet, b: SampleSet, share: number): SampleSet {
  if (!(share >= 0 && share <= 1)) throw new Error(`mixture share must be in [0, 1], got ${share}`);
  if (a.features !== b.features || a.classes !== b.classes)
    throw new Error('mixture of sample sets with different shapes');
  const count = a.count + b.count;
  const rowPtr = new Int32Array(count + 1);
  rowPtr.set(a.rowPtr);
  for (let i = 1; i <= b.count; i++) rowPtr[a.count + i] = a.rowPtr[a.count] + b.rowPtr[i];
  const cat = <T extends Int32Array | Float64Array>(x: T, y: T, make: (n: number) => T): T => {
    const out = make(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  const weights = new Float64Array(count);
  for (let i = 0; i < a.count; i++) weights[i] = share * a.weights[i];
  for (let i = 0; i < b.count; i++) weights[a.count + i] = (1 - share) * b.weights[i];
  return {
    count,
    features: a.features,
    classes: a.classes,
    rowPtr,
    cols: cat(a.cols, b.cols, (n) => new Int32Array(n)),
    vals: cat(a.vals, b.vals, (n) => new Float64Array(n)),
    labels: cat(a.labels, b.labels, (n) => new Int32Array(n)),
    weights,
  };
}

function normalised(w: Float64Array): Float64Array {
  let sum = 0;
  for (const v of w) {
    if (!(v >= 0)) throw new Error(`sample weights must be non-negative, got ${v}`);
    sum += v;
  }
  if (!(sum > 0)) throw new Error('sample weights sum to zero');
  return w.map((v) => v / sum);
}
