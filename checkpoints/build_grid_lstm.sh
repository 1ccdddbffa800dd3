#!/usr/bin/env bash
# Rebuild checkpoints/grid-lstm from scratch: train, then score, then record provenance.
# On the same CPU model (one torch thread) this reproduces model.safetensors bit for bit; another
# CPU rounds differently and drifts apart within a few hundred steps. The shipped network keeps
# gridcore 0.1's shared ensemble RNG (ensemble_rng=shared), which it was trained with.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PY:-.venv/bin/python}
OUT=${OUT:-checkpoints/grid-lstm}
CMD=(python -m gridcore train --preset fast --seed 0 --steps 20000 --set ensemble_rng=shared
  --out "$OUT" --quiet)
start=$(date +%s)
"$PY" "${CMD[@]:1}"
end=$(date +%s)
"$PY" -m gridcore score "$OUT" --trajectories 5000 --json > "$OUT/scores.json"
"$PY" - "$OUT" "$((end - start))" "${CMD[*]}" <<'PYEOF'
import json, platform, subprocess, sys
from pathlib import Path

sys.path.insert(0, "benchmarks")
from _machine import describe

import torch

out, wall, command = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(json.loads((out / "config.json").read_text())["threads"])
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout
provenance = {
    "command": command,
    "seed": json.loads((out / "config.json").read_text())["seed"],
    "commit": commit.strip(),
    "machine": describe(),
    "wall_time_s": wall,
    "metrics": json.loads((out / "scores.json").read_text()),
}
(out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
print(json.dumps(provenance["metrics"], indent=2))
PYEOF
