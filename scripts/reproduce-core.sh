#!/usr/bin/env bash
# Issue-2 reproduction matrix on MNIST (small-cnn, 3 seeds, one-shot 10% poison in D0,
# rotate 4 degrees, 15 updates): BadNets and Blend under SGD 0.01 and STLR 0.5, at the
# default update batch 64 (~315 steps/update) and at batch 512 (~40 steps, short updates).
# Two lanes run side by side (one per core); each seed's result is saved as it finishes,
# so rerunning the script resumes where it stopped. F0 models are shared via the F0 cache.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/core}
run() { node bin/permanence.mjs run --jobs 1 --seeds 3 --updates 15 --drift rotate:4 "$@"; }
lane_a() {
  run --attack badnets --schedule sgd:0.01 --out "$OUT/badnets-sgd"
  run --attack badnets --schedule stlr:0.5 --out "$OUT/badnets-stlr"
  run --attack badnets --schedule sgd:0.01 --update-batch 512 --out "$OUT/badnets-sgd-b512"
  run --attack none --schedule sgd:0.01 --out "$OUT/clean-sgd"
}
lane_b() {
  run --attack blend --schedule sgd:0.01 --out "$OUT/blend-sgd"
  run --attack blend --schedule stlr:0.5 --out "$OUT/blend-stlr"
  run --attack blend --schedule sgd:0.01 --update-batch 512 --out "$OUT/blend-sgd-b512"
}
lane_a > "$OUT.lane-a.log" 2>&1 &
a=$!
lane_b > "$OUT.lane-b.log" 2>&1 &
b=$!
wait $a $b
