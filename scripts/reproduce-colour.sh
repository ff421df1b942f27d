#!/usr/bin/env bash
# Colour data set (generated, 32x32x3): static accuracy under hue drift, and BadNets
# survivability under SGD vs STLR updates. 2 seeds, a 1,000-image pool subset per update
# (~80 steps) to fit the 2-core budget. Resumable, like reproduce-core.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/colour}
run() { node bin/permanence.mjs run --dataset colour --jobs 1 --seeds 2 --updates 15 --drift hue:0.02 --pool-subset 1000 "$@"; }
run --attack badnets --schedule sgd:0.01 --out "$OUT/badnets-sgd"
run --attack badnets --schedule stlr:0.5 --out "$OUT/badnets-stlr"
