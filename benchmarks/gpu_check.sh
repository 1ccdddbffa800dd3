#!/usr/bin/env bash
# One pass of GPU measurements, about 6 minutes at most, every output under $OUT (7 files):
#
#   1. benchmarks/stacked_speed.py on cuda: M = 1, 4, 16, 64, 128 stacked networks
#      -> stacked_speed.txt
#   2. benchmarks/train_speed.py: one network's training step on cuda and on the CPU
#      -> train_speed.txt
#   3. if (2) says the `quick` preset's 8000 steps fit in about 2.5 minutes on cuda: train it
#      (`gridcore train --preset quick --set device=cuda`) and score it (`gridcore score --json`)
#      -> quick_config.json, quick_history.csv, quick_model.safetensors, quick_score.json
#   gpu_check.log holds everything printed, with each part's exit status and wall time.
#
# Run from the repository root, with the repository importable:
#
#   OUT=/path/to/results PYTHONPATH=. bash benchmarks/gpu_check.sh
#
# The run directory of (3) goes to a scratch directory (it holds ~15 files); its config,
# history and weights are copied to $OUT. GPU_CHECK_DRY=1 runs the same script tiny and on the
# CPU (a check of the script itself, a minute on a laptop); PYTHON picks the interpreter.
set -u -o pipefail

: "${OUT:?set OUT to the directory for the results}"
PY=${PYTHON:-python3}
mkdir -p "$OUT"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")
LOG="$OUT/gpu_check.log"
: >"$LOG"

if [ "${GPU_CHECK_DRY:-0}" = 1 ]; then
    DEVICE=cpu
    STACKED_ARGS=(--device cpu --threads 1 --sizes 1 2 --steps 2 --preset tiny)
    SPEED_ARGS=(--device cpu --steps 5)
    PRESET=tiny STEPS=40 BUDGET_S=150 SCORE_ARGS=(--trajectories 100 --shuffles 1 --nbins 16)
else
    DEVICE=cuda
    STACKED_ARGS=(--device cuda --sizes 1 4 16 64 128 --steps 20 --cuda-graph)
    SPEED_ARGS=(--device cuda cpu --steps 100)
    PRESET=quick STEPS=8000 BUDGET_S=150 SCORE_ARGS=()
fi

log() { echo "$*" | tee -a "$LOG"; }

# part NAME TIMEOUT_S OUTFILE CMD...: run CMD under a timeout, its output to OUTFILE and the log.
part() {
    local name=$1 limit=$2 file=$3
    shift 3
    log ""
    log "=== $name: $* (limit ${limit} s) ==="
    local start=$SECONDS rc
    timeout "$limit" "$@" 2>&1 | tee "$file" | tee -a "$LOG"
    rc=${PIPESTATUS[0]}
    log "=== $name: exit status $rc after $((SECONDS - start)) s ==="
    return "$rc"
}

log "gpu_check: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1 | tee -a "$LOG"
"$PY" -c "import torch; print('torch', torch.__version__, '| cuda', torch.version.cuda, '| gpu', torch.cuda.is_available())" 2>&1 | tee -a "$LOG"

# 1. Stacked networks against separate runs.
part "stacked networks" 150 "$OUT/stacked_speed.txt" \
    "$PY" benchmarks/stacked_speed.py "${STACKED_ARGS[@]}"

# 2. One network's step on the GPU and on the CPU.
part "single network" 90 "$OUT/train_speed.txt" "$PY" benchmarks/train_speed.py "${SPEED_ARGS[@]}"

# 3. The quick preset on the GPU, if it fits: the loop syncs every step and moves each batch,
#    so allow 1.6 x the benchmark's step time, plus 20 s to start, simulate and save.
MS=$(sed -n "s/^$DEVICE: training batch  *10: .*( *\([0-9.]*\) ms\/step.*/\1/p" "$OUT/train_speed.txt" | head -n 1)
if [ -z "$MS" ]; then
    log ""
    log "=== quick training: skipped (no $DEVICE batch-10 step time in train_speed.txt) ==="
else
    EST=$(awk -v ms="$MS" -v n="$STEPS" 'BEGIN { printf "%d", ms * n * 1.6 / 1000 + 20 }')
    log ""
    log "=== quick training: $MS ms/step on $DEVICE -> about $EST s for $STEPS steps (budget $BUDGET_S s) ==="
    if [ "$EST" -le "$BUDGET_S" ]; then
        RUN="$SCRATCH/quick-$DEVICE"
        # A run stopped by the timeout keeps its last checkpoint (every 2000 steps): scored below.
        part "quick training" 200 "$SCRATCH/train.txt" "$PY" -m gridcore train --preset "$PRESET" \
            --set "device=$DEVICE" --steps "$STEPS" --out "$RUN" --quiet
        for f in config.json history.csv model.safetensors; do
            [ -f "$RUN/$f" ] && cp "$RUN/$f" "$OUT/quick_$f"
        done
        if [ -f "$RUN/model.safetensors" ]; then
            # The JSON alone in quick_score.json; messages on stderr go to the log.
            log ""
            log "=== quick score: gridcore score $RUN --json ${SCORE_ARGS[*]} (limit 120 s) ==="
            start=$SECONDS
            timeout 120 "$PY" -m gridcore score "$RUN" --json "${SCORE_ARGS[@]}" \
                >"$OUT/quick_score.json" 2>>"$LOG"
            rc=$?
            tee -a "$LOG" <"$OUT/quick_score.json"
            log "=== quick score: exit status $rc after $((SECONDS - start)) s ==="
        fi
        [ -f "$RUN/history.csv" ] && log "last history row: $(tail -n 1 "$RUN/history.csv")"
    else
        log "=== quick training: skipped, it would not finish within $BUDGET_S s ==="
    fi
fi

rm -rf "$SCRATCH"
log ""
log "gpu_check: done in $SECONDS s; files in $OUT:"
ls -l "$OUT" | tee -a "$LOG"
