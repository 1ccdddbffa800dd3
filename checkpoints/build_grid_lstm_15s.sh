#!/usr/bin/env bash
# Rebuild checkpoints/grid-lstm-15s from scratch: train, then score, then record provenance.
# The network is the median seed (by share of grid-like units at step 8000, the lower of the
# middle two: seed 2) of experiments/paper-rat-15s.yaml, a rule fixed before that sweep was read:
# the `quick` schedule on the paper's rat at the paper's time base (15 s examples seen in 100
# steps of 0.15 s), with the paper's own inputs and targets (speed and turn, head-direction cells,
# 1 cm Gaussian place cells). Trained by the very same config as the sweep's trial, scoring while
# training included; provenance.json says how its scores compare with the sweep's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-checkpoints/grid-lstm-15s}
CMD=(python -m gridcore train --preset quick --seed 2
  --set motion=paper --set duration=15.0
  --set score_every=1000 --set score_trajectories=1000 --set snapshot_every=2000
  --out "$OUT" --quiet)
checkpoints/record_build.sh "$OUT" "${CMD[@]}"
