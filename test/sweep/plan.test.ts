import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExperimentConfig, withResolvedAttack } from '../../sim/experiment/config.ts';
import { axisPath } from '../../sim/sweep/axes.ts';
import { canonicalJson } from '../../sim/experiment/config-hash.ts';
import { experimentId } from '../../sim/sweep/job-id.ts';
import { planSweep, runOrder } from '../../sim/sweep/plan.ts';
import { loadSweepSpec, parseSweepSpec, quickSpec, spread } from '../../sim/sweep/spec.ts';

const spec = parseSweepSpec({
  name: 'unit',
  base: { updates: 3, injection: 'd0', update: { epochs: 2, batchSize: 64, schedule: 'sgd:0.01' } },
  seeds: [0, 1],
  grids: [
    { name: 'ratio', axes: { attack: ['badnets', 'blend'], poisonRatio: [0.1, 0.2] } },
    // badnets:size=3 is MNIST's default patch: the cell equals the ratio grid's badnets/0.1 one.
    { name: 'visibility', axes: { attack: ['badnets:size=3', 'badnets:size=5'] } },
    { name: 'lr', axes: { schedule: ['sgd:0.05'], updateEpochs: [1, 4], injection: ['persistent:2'] } },
  ],
});

test('a sweep is the union of its grids, a cell shared by two grids runs once per seed', () => {
  const plan = planSweep(spec);
  // 4 ratio cells + 1 new visibility cell (size=5) + 2 lr cells.
  assert.equal(plan.experiments.length, 7);
  assert.equal(plan.jobs.length, 14);
  assert.equal(new Set(plan.jobs.map((j) => j.id)).size, 14);
  const shared = plan.experiments.find((e) => e.grids.length === 2);
  assert.deepEqual(
    shared?.grids.map((g) => g.grid),
    ['ratio', 'visibility'],
  );
  assert.deepEqual(shared?.config.attack, { kind: 'badnets', size: 3, value: 1 });
});

test('axes write the right config fields, shorthands included', () => {
  const lr = planSweep(spec).experiments.filter((e) => e.grids[0].grid === 'lr');
  assert.deepEqual(
    lr.map((e) => e.config.update.epochs),
    [1, 4],
  );
  for (const e of lr) {
    assert.deepEqual(e.config.update.schedule, { kind: 'constant', lr: 0.05 });
    assert.equal(e.config.update.batchSize, 64, 'the rest of the update block comes from the base');
    assert.deepEqual(e.config.injection, { mode: 'persistent', updates: 2 });
    assert.equal(e.config.updates, 3);
  }
});

test('experiment ids ignore key order, seeds and spelled-out attack defaults, and see everything else', () => {
  const a = withResolvedAttack(
    parseExperimentConfig({ attack: { kind: 'badnets' }, poisonRatio: 0.1, seeds: [0] }),
  );
  const b = withResolvedAttack(
    parseExperimentConfig({ seeds: [4, 5], poisonRatio: 0.1, attack: { size: 3, kind: 'badnets' } }),
  );
  const c = withResolvedAttack(parseExperimentConfig({ attack: { kind: 'badnets' }, poisonRatio: 0.11 }));
  assert.equal(experimentId(a), experimentId(b));
  assert.notEqual(experimentId(a), experimentId(c));
  assert.match(experimentId(a), /^[0-9a-f]{12}$/);
  assert.equal(
    canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 4, e: 5 }] } }),
    '{"a":{"c":[3,{"e":5,"f":4}],"d":2},"b":1}',
  );
});

test('ids are stable across plans', () => {
  assert.deepEqual(
    planSweep(spec).jobs.map((j) => j.id),
    planSweep(structuredClone(spec)).jobs.map((j) => j.id),
  );
});

test('unknown axes and invalid cells are refused with the grid and cell named', () => {
  assert.throws(() => axisPath('poisonratio'), /unknown sweep axis 'poisonratio'/);
  assert.throws(() => axisPath('update.lr'), /unknown sweep axis/);
  const bad = parseSweepSpec({ name: 'bad', grids: [{ name: 'g', axes: { poisonRatio: [0.1, 1.5] } }] });
  assert.throws(() => planSweep(bad), /grid 'g' cell poisonRatio=1.5/);
  assert.throws(() => parseSweepSpec({ name: 'Bad Name', grids: [{ name: 'g' }] }), /name/);
});

test('quick scale: smaller base, first seed, per-grid quick axes, skipped grids', () => {
  const full = parseSweepSpec({
    name: 'q',
    base: { updates: 15, update: { epochs: 5, batchSize: 64, schedule: 'sgd:0.01' } },
    seeds: [0, 1, 2],
    grids: [
      { name: 'a', axes: { poisonRatio: [0.01, 0.05, 0.1, 0.2] } },
      { name: 'b', axes: { attack: ['badnets', 'blend', 'wanet'] }, quick: { axes: { attack: ['blend'] } } },
      { name: 'c', axes: { updates: [20] }, quick: { skip: true } },
    ],
    quick: { base: { updates: 2, update: { epochs: 1 } }, maxValues: 2 },
  });
  const quick = quickSpec(full);
  assert.equal(quick.name, 'q-quick');
  assert.deepEqual(quick.seeds, [0]);
  assert.deepEqual(quick.base, { updates: 2, update: { epochs: 1, batchSize: 64, schedule: 'sgd:0.01' } });
  assert.deepEqual(quick.grids[0].axes.poisonRatio, [0.01, 0.2]);
  assert.deepEqual(quick.grids[1].axes.attack, ['blend']);
  assert.equal(quick.grids.length, 2);
  assert.deepEqual(spread([1, 2, 3, 4, 5], 3), [1, 3, 5]);
});

test('the shipped sweeps plan, and their quick scale stays small', async () => {
  for (const file of ['sweeps/paper-mnist.yaml', 'sweeps/paper-colour.yaml']) {
    const full = await loadSweepSpec(file);
    const plan = planSweep(full);
    const quick = planSweep(quickSpec(full));
    assert.ok(plan.jobs.length >= 60, `${file}: ${plan.jobs.length} jobs`);
    assert.ok(quick.jobs.length <= 12, `${file} --quick: ${quick.jobs.length} jobs`);
    for (const job of quick.jobs)
      assert.ok(job.config.updates <= 2 && (job.config.poolSubset ?? Infinity) <= 300);
  }
});

test('run order: one job per distinct F0 first, then the jobs that can load a cached F0', () => {
  const plan = planSweep(
    parseSweepSpec({
      name: 'order',
      seeds: [0],
      grids: [
        { name: 'g', axes: { injection: ['d0', 'd1', 'persistent:2'], schedule: ['sgd:0.01', 'stlr:0.5'] } },
      ],
    }),
  );
  const order = runOrder(plan.jobs, () => 1);
  // D0 cells train a poisoned F0 (one for both schedules); D1 and persistent cells share a clean F0.
  const firstTwo = order.slice(0, 2).map((j) => j.config.injection.mode);
  assert.deepEqual([...firstTwo].sort(), ['d0', 'd1']);
  assert.equal(order.length, plan.jobs.length);
  assert.deepEqual(new Set(order.map((j) => j.id)), new Set(plan.jobs.map((j) => j.id)));
});

test('run order with seedsFirst: every cell once per seed round, rounds in the seeds order', () => {
  const plan = planSweep(
    parseSweepSpec({
      name: 'order',
      seeds: [7, 3],
      grids: [{ name: 'g', axes: { injection: ['d0', 'd1'], schedule: ['sgd:0.01', 'stlr:0.5'] } }],
    }),
  );
  const order = runOrder(plan.jobs, () => 1, { seedsFirst: true });
  assert.deepEqual(
    order.map((j) => j.seed),
    [7, 7, 7, 7, 3, 3, 3, 3],
  );
  // Within each round the F0 rule holds: the two F0s (poisoned D0, clean for D1) come first.
  for (const start of [0, 4]) {
    const firstTwo = order.slice(start, start + 2).map((j) => j.config.injection.mode);
    assert.deepEqual(firstTwo.sort(), ['d0', 'd1']);
  }
  assert.deepEqual(new Set(order.map((j) => j.id)), new Set(plan.jobs.map((j) => j.id)));
});
