import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { theoremIterations } from '../../sim/theory/bounds.ts';
import type { TheoryResult } from '../../sim/theory/study.ts';

const out = mkdtempSync(join(tmpdir(), 'permanence-theory-'));
after(() => rmSync(out, { recursive: true, force: true }));

function cli(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['bin/permanence.mjs', 'theory', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
}

test('permanence theory --quick writes theory.json, theory.md and theory.svg with sane contents', () => {
  const r = cli(['--quick', '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as TheoryResult;
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'theory.json'), 'utf8')), result);
  assert.match(readFileSync(join(out, 'theory.svg'), 'utf8'), /^<svg/);
  assert.match(readFileSync(join(out, 'theory.md'), 'utf8'), /Theorem 4\.3/);

  const c = result.constants;
  // The L2 term bounds lambda_min below; a Rayleigh quotient cannot go under it, and the
  // softmax shift direction attains it.
  assert.ok(c.sigmaBPower.value >= c.lambda * (1 - 1e-9) && c.sigmaPPower.value >= c.lambda * (1 - 1e-9));
  assert.ok(Math.abs(c.invarianceCurvature.clean - c.lambda) < 1e-9 * c.lambda);
  assert.ok(c.gammaB.value > c.lambda && c.gammaBGlobal >= c.gammaB.value);
  assert.ok(result.clean.optimiser.converged && result.clean.accuracy > 0.7);

  assert.deepEqual(
    result.ratios.map((x) => x.alpha),
    [0.05, 0.4],
  );
  for (const ratio of result.ratios) {
    assert.ok(ratio.optimiser.converged);
    // The poisoned optimum has learned the trigger; the clean one has not.
    assert.ok(
      ratio.asr > 0.5 && ratio.asr > result.clean.asr + 0.3,
      `alpha ${ratio.alpha}: ASR ${ratio.asr}`,
    );
    // Lemma 4.2 is an inequality for any strongly convex pair: a failure is a bug here.
    assert.ok(ratio.distanceToClean > 0 && ratio.distanceToClean <= ratio.lemmaBound);
    // Theorem 4.3's count comes from the estimated constants (whether measurements obey it is reported, not asserted).
    for (const b of ratio.bound) {
      const convexity = { sigmaP: c.sigmaP, sigmaB: c.sigmaB };
      assert.equal(b.gammaP, theoremIterations(ratio.alpha, c.gammaP.value, b.epsilon, convexity));
      assert.equal(b.gradNorm, theoremIterations(ratio.alpha, c.poisonGradNorm, b.epsilon, convexity));
    }
    const byName = new Map(ratio.schedules.map((s) => [s.name, s]));
    const inverse = byName.get('inverse-t')!;
    const offset = byName.get('inverse-t-offset')!;
    // Clean fine-tuning moves theta towards theta_0* and removes the backdoor.
    assert.ok(offset.finalDistance < offset.curve[0].distance);
    assert.ok(inverse.finalDistance < Math.max(...inverse.curve.map((p) => p.distance)));
    assert.ok(inverse.curve.at(-1)!.asr < ratio.asr - 0.3);
    for (const s of ratio.schedules)
      for (const m of s.iterationsTo)
        assert.ok(
          m.measured === null || (Number.isInteger(m.measured) && m.measured <= result.options.iterations),
        );
  }
});

test('permanence theory --redraw rewrites the tables and figures from theory.json; bad options exit 1', () => {
  const md = readFileSync(join(out, 'theory.md'), 'utf8');
  rmSync(join(out, 'theory-survival.svg'));
  const r = cli(['--redraw', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(out, 'theory.md'), 'utf8'), md);
  assert.match(readFileSync(join(out, 'theory-survival.svg'), 'utf8'), /^<svg/);
  const bad = cli(['--quick', '--ratios', '1.5', '--out', join(out, 'bad')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /theory options: ratios\.0/);
});
