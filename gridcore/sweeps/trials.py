"""One trial of a sweep: train it (resuming if it can), score it, save its outcome."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from gridcore.errors import DivergedError, GridcoreError
from gridcore.files import write_text_atomic
from gridcore.paper import GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.results import load_network, score_network
from gridcore.runs import read_history
from gridcore.sweeps.spec import (
    FINAL_METRICS,
    FINAL_NBINS,
    FINAL_SHUFFLES,
    RESULT_COLUMNS,
    STATUS_FILE,
    TRAINING_METRICS,
    Trial,
)
from gridcore.train import train

# --------------------------------------------------------------------------------------------
# One trial


def _scored(row: dict) -> bool:
    value = row.get("grid_fraction_037", math.nan)
    return value is not None and not math.isnan(value)


def _one_line(err: BaseException) -> str:
    text = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {text}" if not isinstance(err, GridcoreError) else text


def run_trial(trial: Trial, report: Callable[[dict], None] | None = None) -> dict:
    """Train one trial into its run directory (resuming from its checkpoint if it has one),
    score the final network, and save the outcome in ``sweep_trial.json``; return it.

    ``report`` (Ray Tune's ``tune.report`` inside a sweep) gets the metrics of every scoring.
    A diverging run is recorded as ``diverged`` at its step; any other error as ``failed``.
    """
    run_dir = trial.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    resume = (run_dir / "train_state.safetensors").exists()
    restored = read_history(run_dir) if resume else []
    curve: dict[int, dict] = {int(r["step"]): r for r in restored if _scored(r)}
    last: dict = {}

    def on_log(row: dict) -> None:
        last.clear()
        last.update(row)
        if _scored(row):
            curve[int(row["step"])] = dict(row)
            if report is not None:
                report({k: row[k] for k in ("step", *TRAINING_METRICS[:-1])})

    outcome: dict[str, Any] = {"status": "failed", "step": 0, "error": ""}
    try:
        result = train(trial.cfg, run_dir, resume=resume, progress=False, on_log=on_log)
        if result.history:
            last = dict(result.history[-1])
        scored = score_network(
            load_network(run_dir),
            n_trajectories=trial.cfg.score_trajectories,
            nbins=FINAL_NBINS,
            n_shuffles=FINAL_SHUFFLES,
        )
        dm, gc = scored.scores["deepmind"], scored.scores["gridcore"]
        outcome.update(
            status="done",
            step=result.step,
            grid_fraction_037=dm.fraction(GRID_THRESHOLD),
            grid_fraction_080=dm.fraction(STRICT_GRID_THRESHOLD),
            grid_fraction_037_gridcore=gc.fraction(GRID_THRESHOLD),
            grid_fraction_080_gridcore=gc.fraction(STRICT_GRID_THRESHOLD),
            shuffle_threshold=scored.nulls["gridcore"].threshold,
            median_scale_m=gc.summary()["median_scale_m_grid_like"],
        )
    except DivergedError as err:
        outcome.update(status="diverged", step=err.step, error=_one_line(err))
    except Exception as err:  # recorded, so that the sweep carries on
        outcome.update(step=int(last.get("step", 0)), error=_one_line(err))
    # Training time of earlier sessions up to the checkpoint resumed from, plus this session.
    earlier = restored[-1]["elapsed_s"] if restored else 0.0
    outcome["wall_s"] = earlier + time.perf_counter() - start
    for key in ("loss", "position_error_cm", "heading_error_deg"):
        outcome[key] = last.get(key, math.nan)
    final = {k: outcome.get(k, math.nan) for k in FINAL_METRICS}
    points = [
        {"step": s, "source": "training", **{k: curve[s].get(k) for k in TRAINING_METRICS}}
        for s in sorted(curve)
    ]
    if outcome["status"] == "done":
        points.append({"step": outcome["step"], "source": "final", **final})
    record = {
        "trial": trial.name,
        "condition": trial.condition,
        "seed": trial.seed,
        **trial.values,
        **{k: outcome.get(k, math.nan) for k in RESULT_COLUMNS},
        "curve": points,
    }
    write_text_atomic(run_dir / STATUS_FILE, json.dumps(_jsonable(record), indent=1))
    if report is not None and outcome["status"] == "done":
        numbers = {
            k: v for k, v in final.items() if isinstance(v, int | float) and math.isfinite(v)
        }
        report({"step": outcome["step"], **numbers})
    return record


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def read_trial(trial: Trial) -> dict | None:
    """The saved outcome of a trial, or None if it has none (not run, or unfinished)."""
    path = trial.run_dir / STATUS_FILE
    try:
        record = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return record if isinstance(record, dict) and record.get("trial") == trial.name else None
