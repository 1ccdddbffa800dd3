#!/usr/bin/env bash
# Rebuild checkpoints/grid-lstm-paper-rat from scratch: train, then score, then record provenance.
# The network is seed 0 of the `DoG 12 cm, eps 1e-14, 20k steps` condition of
# experiments/paper-rat.yaml, trained by the very same config (the sweep's scoring while training
# included): the paper's rat (mean 0.16 m/s), difference-of-softmaxes place cells 12 cm wide,
# allocentric velocity input, no head-direction cells, RMSProp epsilon 1e-14, 20 000 steps of
# the `quick` schedule. On the same CPU model (one torch thread) it comes out bit for bit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-checkpoints/grid-lstm-paper-rat}
CMD=(python -m gridcore train --preset quick --seed 0 --steps 20000
  --set motion=paper --set place_kind=dog --set place_sigma=0.12
  --set velocity_input=allocentric --set use_hd=false --set eps=1e-14
  --set score_every=1000 --set score_trajectories=1000 --set snapshot_every=2000
  --out "$OUT" --quiet)
checkpoints/record_build.sh "$OUT" "${CMD[@]}"
