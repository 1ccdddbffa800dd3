#!/usr/bin/env bash
# Train a shipped network, score it and record its provenance: the shared tail of every
# checkpoints/build_*.sh. Usage: record_build.sh OUT python -m gridcore train ... --out OUT
# Run from the repository root; PY names the interpreter (default .venv/bin/python).
set -euo pipefail
PY=${PY:-.venv/bin/python}
OUT=$1
shift
start=$(date +%s)
"$PY" "${@:2}"
end=$(date +%s)
"$PY" -m gridcore score "$OUT" --trajectories 5000 --json > "$OUT/scores.json.tmp"
mv "$OUT/scores.json.tmp" "$OUT/scores.json"
PYTHONPATH=. "$PY" checkpoints/provenance.py "$OUT" "$((end - start))" "$*"
