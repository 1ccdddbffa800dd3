#!/usr/bin/env bash
# Rebuild checkpoints/grid-lstm from scratch: train, then score, then record provenance.
# On the same CPU model (one torch thread) this reproduces model.safetensors bit for bit; another
# CPU rounds differently and drifts apart within a few hundred steps. The shipped network keeps
# gridcore 0.1's shared ensemble RNG (ensemble_rng=shared), which it was trained with.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=${OUT:-checkpoints/grid-lstm}
CMD=(python -m gridcore train --preset fast --seed 0 --steps 20000 --set ensemble_rng=shared
  --out "$OUT" --quiet)
checkpoints/record_build.sh "$OUT" "${CMD[@]}"
