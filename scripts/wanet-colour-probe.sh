#!/usr/bin/env bash
# WaNet's injected ASR on the colour set against F0 budget, noise mode, strength and model
# (docs/experiments.md, "WaNet's injected ASR on the colour set"): F0 + one update, seeds 0, 1
# (ResNet-9: seed 0). Results: docs/results/wanet-colour/.
set -euo pipefail
root="${RUNS:-runs/wanet-colour}"
common=(--dataset colour --drift hue:0.02 --updates 1 --f0-batch 512 --f0-schedule stlr:0.5 --jobs 1)
run() {
  local name="$1"
  shift
  nice -n 5 node bin/permanence.mjs run "${common[@]}" "$@" --out "$root/$name"
}
run small-80 --attack wanet --f0-epochs 80 --seeds 0,1
run small-80-nonoise --attack wanet:crossRatio=0 --f0-epochs 80 --seeds 0,1
run small-80-nonoise-strength1 --attack wanet:strength=1,crossRatio=0 --f0-epochs 80 --seeds 0,1
run small-240 --attack wanet --f0-epochs 240 --seeds 0,1
run resnet9-80 --model resnet9 --width 0.25 --attack wanet --f0-epochs 80 --seeds 0,
# Saturation drift (-0.06 per update, factor 0.1 at step 15): a clean model and WaNet without
# its noise mode, beside the sweep's saturation cells (docs/results.md, colour set).
sat=(--dataset colour --drift saturation:-0.06 --updates 15 --f0-epochs 80 --f0-batch 512 --f0-schedule stlr:0.5 --jobs 1 --seeds 0,)
nice -n 5 node bin/permanence.mjs run "${sat[@]}" --attack none --out "$root/saturation-none"
nice -n 5 node bin/permanence.mjs run "${sat[@]}" --attack wanet:crossRatio=0 --out "$root/saturation-wanet-crossRatio-0"
