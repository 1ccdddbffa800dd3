#!/usr/bin/env bash
# Rebuild checkpoints/grid-lstm-anchored from scratch: train, then score, then record provenance.
# The grid network of the vector-navigation experiment (book chapter "Navigation"): the paper's
# rat at the paper's time base (15 s examples seen in 100 steps of 0.15 s), the paper's inputs
# and targets, 30 000 steps of the `quick` schedule stretched over them, anchored: on a fraction
# ANCHOR of steps it also reads the true place and head-direction code, as the paper's grid
# network read the vision module's predictions; half of its training paths start from another
# path's code, so that it learns to find itself again from anchors after the agent is moved.
#
# Which ANCHOR was shipped follows a rule fixed before either network finished training: 0.05
# (the paper's one step in twenty) if, run at 5 % anchors, its scripted agent returns to the goal
# in at least 90 % of trips in the goal-doors arena and at least 20 % of its units are grid-like
# (DeepMind's scorer, 32 bins, 5000 paths); else 0.1 under the same test; if neither passes, the
# one whose scripted agent returns more often. On the same CPU model (one torch thread) it comes
# out bit for bit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-checkpoints/grid-lstm-anchored}
ANCHOR=${ANCHOR:-0.05}
CMD=(python -m gridcore train --preset quick --seed 0
  --set motion=paper --set duration=15.0 --set anchor_prob="$ANCHOR" --set lost_start_prob=0.5
  --set steps=30000 --set score_every=10000 --set checkpoint_every=5000
  --out "$OUT" --quiet)
checkpoints/record_build.sh "$OUT" "${CMD[@]}"
# Keep one weight snapshot in five (every 5000 steps), as much as the other networks ship.
find "$OUT/snapshots" -name 'step_*.safetensors' | grep -v '[05]000\.safetensors$' | xargs -r rm
