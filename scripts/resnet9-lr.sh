#!/usr/bin/env bash
# Finding 5 on ResNet-9 (width 0.25, the paper's model class): does a large fine-tuning lr cost
# the accuracy the paper reports (99% -> 91% on MNIST)? BadNets 10% in D0 at the protocol of
# sweeps/paper-mnist-full.yaml, 15 updates at SGD 0.5 and 0.01, sharing one F0.
# Results: docs/results/resnet9-lr/, discussed in docs/results.md (finding 5).
# F0_CACHE=<dir> reuses F0s trained before (e.g. by scripts/defenses-protocol.sh resnet9 badnets);
# JOBS=<n> runs that many seeds at once.
# Usage: scripts/resnet9-lr.sh [seeds]   (default "0,")
set -euo pipefail
seeds="${1:-0,}"
root="${RUNS:-runs/resnet9-lr}"
for lr in 0.5 0.01; do
  nice -n 5 node bin/permanence.mjs run --model resnet9 --width 0.25 --attack badnets --drift rotate:4 \
    --updates 15 --f0-epochs 40 --f0-batch 512 --f0-schedule stlr:0.5 \
    --update-epochs 5 --update-batch 64 --schedule "sgd:$lr" \
    --seeds "$seeds" --jobs "${JOBS:-1}" --f0-cache "${F0_CACHE:-$root/f0-cache}" --out "$root/sgd-$lr"
done
