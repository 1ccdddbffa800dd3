#!/usr/bin/env bash
# Rebuild checkpoints/grid-lstm-modules from scratch: train, then score, then record provenance.
# The network is seed 0 of the `sliced 6+14 cm` condition of experiments/modules-widths.yaml, the
# setting with the most networks holding modules when every network of the modules sweeps is
# rescored on 5000 paths (experiments/unit_scales.py), trained by the very same config (the
# sweep's scoring and snapshots while training included): the paper's rat (mean 0.16 m/s), two
# difference-of-softmaxes place ensembles 6 and 14 cm wide (place_sigma 0.06,
# place_sigma_ratio 2.3333333), each read out from its own half of the bottleneck
# (place_readout: sliced), the initial state from each ensemble's standardised code, allocentric
# velocity input, no head-direction cells, RMSProp epsilon 1e-14, 10 000 steps of the `quick`
# schedule. On the same CPU model (one torch thread) it comes out bit for bit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-checkpoints/grid-lstm-modules}
CMD=(python -m gridcore train --preset quick --seed 0 --steps 10000
  --set motion=paper --set place_kind=dog --set place_sigma=0.06
  --set place_ensembles=2 --set place_sigma_ratio=2.3333333 --set place_readout=sliced
  --set init_code=standardised --set velocity_input=allocentric --set use_hd=false
  --set eps=1e-14 --set score_every=2500 --set score_trajectories=500 --set snapshot_every=1000
  --out "$OUT" --quiet)
checkpoints/record_build.sh "$OUT" "${CMD[@]}"
