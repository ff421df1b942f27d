#!/usr/bin/env bash
# NC and TABOR on F0 and F1 at the paper's protocol (docs/defenses.md, "At the paper's protocol"):
# F0 40 epochs at batch 512 (STLR 0.5), one update of 5 epochs at batch 64 (SGD 0.01) on the whole
# 4,000-image pool, rotation 4 degrees (nearest), clean / BadNets / Blend / WaNet, 3 seeds.
# One run folder per attack and model; `permanence run` resumes a folder seed by seed, so
# rerunning this script skips what has finished (never run two on one folder at once).
# Usage: scripts/defenses-protocol.sh [small-cnn|resnet9] [attack ...]   (default: all four)
set -euo pipefail
model="${1:-small-cnn}"
root="${RUNS:-runs/defenses-protocol}"
extra=()
[ "$model" = resnet9 ] && extra=(--width 0.25)
attacks=("${@:2}")
[ ${#attacks[@]} -eq 0 ] && attacks=(none badnets blend wanet)
for attack in "${attacks[@]}"; do
  out="$root/$model-$attack"
  nice -n 5 node bin/permanence.mjs run --model "$model" "${extra[@]}" --attack "$attack" \
    --drift rotate:4 --updates 1 --seeds 0,1,2 --jobs "${JOBS:-2}" \
    --f0-epochs 40 --f0-batch 512 --f0-schedule stlr:0.5 \
    --update-epochs 5 --update-batch 64 --schedule sgd:0.01 \
    --scan both --scan-at 0,1 --save-models 0,1 --out "$out"
done
