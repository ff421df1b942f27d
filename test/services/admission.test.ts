import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionProblem, classShareBound } from '../../services/loop/admission.ts';

describe('campaign admission', () => {
  it('bounds the share of one class at twice the uniform share', () => {
    assert.equal(classShareBound(10), 0.2);
    assert.equal(classShareBound(2), 1);
  });

  it('admits campaigns whose ratios plus the class share fit one experience', () => {
    assert.equal(admissionProblem([], { ratio: 0.5, target: 0 }, 0.2), undefined);
    // 0.5 + 0.3 + 0.2 = 1 exactly (float sum 1.0000000000000002 within the tolerance).
    assert.equal(admissionProblem([{ ratio: 0.5, target: 0 }], { ratio: 0.3, target: 3 }, 0.2), undefined);
    assert.equal(
      admissionProblem(
        [
          { ratio: 0.1, target: 1 },
          { ratio: 0.2, target: 2 },
        ],
        { ratio: 0.5, target: 0 },
        0.2,
      ),
      undefined,
    );
  });

  it('refuses a campaign that would not fit, saying how much room is left', () => {
    const problem = admissionProblem([{ ratio: 0.5, target: 0 }], { ratio: 0.5, target: 0 }, 0.2);
    assert.match(problem ?? '', /already poison 0\.5 .* with 0\.5 more .*up to 0\.2.* at most 0\.3 is left/);
    const full = admissionProblem(
      [
        { ratio: 0.5, target: 0 },
        { ratio: 0.3, target: 1 },
      ],
      { ratio: 0.01, target: 2 },
      0.2,
    );
    assert.match(full ?? '', /at most 0 is left/);
  });
});
