#!/usr/bin/env bash
# NC and TABOR on F0 and F1 at the paper's protocol (docs/defenses.md, "At the paper's protocol"):
# F0 40 epochs at batch 512 (STLR 0.5), one update of 5 epochs at batch 64 (SGD 0.01) on the whole
# 4,000-image pool, rotation 4 degrees (nearest), clean / BadNets / Blend / WaNet, 3 seeds.
# DATASET=colour: the colour sweep's protocol instead (F0 80 epochs, hue drift 0.02 per update);
# F0_CACHE=<dir> reuses F0s trained before, e.g. a sweep's <sweep folder>/f0-cache.
# One run folder per attack and model; `permanence run` resumes a folder seed by seed, so
# rerunning this script skips what has finished (never run two on one folder at once).
# Usage: [DATASET=colour] scripts/defenses-protocol.sh [small-cnn|resnet9] [attack ...]   (default: all four)
set -euo pipefail
model="${1:-small-cnn}"
dataset="${DATASET:-mnist}"
case "$dataset" in
  mnist) drift=rotate:4 f0_epochs=40 suffix="" ;;
  colour) drift=hue:0.02 f0_epochs=80 suffix="-colour" ;;
  *) echo "DATASET must be mnist or colour, not '$dataset'" >&2; exit 2 ;;
esac
root="${RUNS:-runs/defenses-protocol$suffix}"
extra=()
[ "$model" = resnet9 ] && extra+=(--width 0.25)
[ -n "${F0_CACHE:-}" ] && extra+=(--f0-cache "$F0_CACHE")
attacks=("${@:2}")
[ ${#attacks[@]} -eq 0 ] && attacks=(none badnets blend wanet)
for attack in "${attacks[@]}"; do
  out="$root/$model-$attack"
  nice -n 5 node bin/permanence.mjs run --dataset "$dataset" --model "$model" "${extra[@]}" --attack "$attack" \
    --drift "$drift" --updates 1 --seeds 0,1,2 --jobs "${JOBS:-2}" \
    --f0-epochs "$f0_epochs" --f0-batch 512 --f0-schedule stlr:0.5 \
    --update-epochs 5 --update-batch 64 --schedule sgd:0.01 \
    --scan both --scan-at 0,1 --save-models 0,1 --out "$out"
done
