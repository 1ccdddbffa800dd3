"""One trial of a sweep: train it (resuming if it can), score it, save its outcome."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from gridcore.analysis.real_paths import long_path_errors
from gridcore.analysis.results import score_network
from gridcore.errors import DivergedError, GridcoreError
from gridcore.files import write_text_atomic
from gridcore.net.config import RUNTIME_FIELDS, TrainConfig
from gridcore.net.runs import load_network, read_history
from gridcore.paper import GRID_THRESHOLD, STRICT_GRID_THRESHOLD
from gridcore.sweeps.spec import (
    FINAL_METRICS,
    FINAL_NBINS,
    FINAL_SHUFFLES,
    LATER_METRICS,
    RESULT_COLUMNS,
    STATUS_FILE,
    TRAINING_METRICS,
    Trial,
    load_spec,
)
from gridcore.training.train import train, train_stacked

# --------------------------------------------------------------------------------------------
# One trial


GRID_UNIT_KEYS = ("grid_units", "grid_scales_m")


def _scored(row: dict) -> bool:
    value = row.get("grid_fraction_037", math.nan)
    return value is not None and not math.isnan(value)


def _one_line(err: BaseException) -> str:
    text = (str(err).strip().splitlines() or [""])[0]
    return f"{type(err).__name__}: {text}" if not isinstance(err, GridcoreError) else text


class _Progress:
    """What one trial's training has reported: its last history row and its scorings."""

    def __init__(self, trial: Trial, report: Callable[[dict], None] | None) -> None:
        self.trial, self.report = trial, report
        trial.run_dir.mkdir(parents=True, exist_ok=True)
        self.resume = (trial.run_dir / "train_state.safetensors").exists()
        self.restored = read_history(trial.run_dir) if self.resume else []
        self.curve: dict[int, dict] = {int(r["step"]): r for r in self.restored if _scored(r)}
        self.last: dict = {}
        # Training time of earlier sessions, up to the checkpoint resumed from.
        self.earlier = self.restored[-1]["elapsed_s"] if self.restored else 0.0

    def on_log(self, row: dict) -> None:
        self.last.clear()
        self.last.update(row)
        if _scored(row):
            self.curve[int(row["step"])] = dict(row)
            if self.report is not None:
                self.report({k: row[k] for k in ("step", *TRAINING_METRICS[:-1])})


def _final_scores(trial: Trial, result, progress: _Progress) -> dict[str, Any]:
    """Score a trained trial's saved network: the outcome of a finished trial."""
    if result.history:
        progress.last = dict(result.history[-1])
    net = load_network(trial.run_dir)
    scored = score_network(
        net,
        n_trajectories=trial.cfg.score_trajectories,
        nbins=FINAL_NBINS,
        n_shuffles=FINAL_SHUFFLES,
    )
    dm, gc = scored.scores["deepmind"], scored.scores["gridcore"]
    return dict(
        grid_units=gc.scaled_units.tolist(),
        grid_scales_m=gc.scale_m[gc.scaled_units].tolist(),
        **long_path_errors(net),
        status="done",
        step=result.step,
        grid_fraction_037=dm.fraction(GRID_THRESHOLD),
        grid_fraction_080=dm.fraction(STRICT_GRID_THRESHOLD),
        grid_fraction_037_gridcore=gc.fraction(GRID_THRESHOLD),
        grid_fraction_080_gridcore=gc.fraction(STRICT_GRID_THRESHOLD),
        shuffle_threshold=scored.nulls["gridcore"].threshold,
        median_scale_m=gc.summary()["median_scale_m_grid_like"],
    )


def _save_outcome(progress: _Progress, outcome: dict[str, Any], wall_s: float) -> dict:
    """Write a trial's ``sweep_trial.json`` from its outcome; return the record."""
    trial, last, curve = progress.trial, progress.last, progress.curve
    outcome["wall_s"] = wall_s
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
        # Each grid-like unit (gridcore's scorer) with a scale: its index and scale (m), for
        # the module analyses (gridcore.sweeps.grid_modules).
        **{k: outcome.get(k, []) for k in GRID_UNIT_KEYS},
        "curve": points,
    }
    write_text_atomic(trial.run_dir / STATUS_FILE, json.dumps(_jsonable(record), indent=1))
    if progress.report is not None and outcome["status"] == "done":
        numbers = {
            k: v for k, v in final.items() if isinstance(v, int | float) and math.isfinite(v)
        }
        progress.report({"step": outcome["step"], **numbers})
    return record


def run_trial(trial: Trial, report: Callable[[dict], None] | None = None) -> dict:
    """Train one trial into its run directory (resuming from its checkpoint if it has one),
    score the final network, and save the outcome in ``sweep_trial.json``; return it.

    ``report`` (Ray Tune's ``tune.report`` inside a sweep) gets the metrics of every scoring.
    A diverging run is recorded as ``diverged`` at its step; any other error as ``failed``.
    """
    start = time.perf_counter()
    progress = _Progress(trial, report)
    outcome: dict[str, Any] = {"status": "failed", "step": 0, "error": ""}
    try:
        result = train(
            trial.cfg, trial.run_dir, resume=progress.resume, progress=False, on_log=progress.on_log
        )
        outcome.update(_final_scores(trial, result, progress))
    except DivergedError as err:
        outcome.update(status="diverged", step=err.step, error=_one_line(err))
    except Exception as err:  # recorded, so that the sweep carries on
        outcome.update(step=int(progress.last.get("step", 0)), error=_one_line(err))
    return _save_outcome(progress, outcome, progress.earlier + time.perf_counter() - start)


def run_pack(trials: list[Trial], report: Callable[[dict], None] | None = None) -> list[dict]:
    """Train trials that differ only in their seed (and resume from the same step) as one
    stacked network (:func:`gridcore.training.train.train_stacked`), then score and record each as
    :func:`run_trial` does; one trial alone goes through :func:`run_trial`. A packed trial's
    ``wall_s`` is the pack's training time, which its trials share, plus its own scoring."""
    if len(trials) == 1:
        return [run_trial(trials[0], report)]
    start = time.perf_counter()
    progress = [_Progress(t, report) for t in trials]
    outcomes: list[dict[str, Any]] = [{"status": "failed", "step": 0, "error": ""} for _ in trials]
    try:
        results = train_stacked(
            [t.cfg for t in trials],
            [t.run_dir for t in trials],
            resume=progress[0].resume,
            progress=False,
            on_log=lambda m, row: progress[m].on_log(row),
        )
    except Exception as err:  # the whole pack failed: recorded for each of its trials
        results = [None] * len(trials)
        for prog, outcome in zip(progress, outcomes, strict=True):
            outcome.update(step=int(prog.last.get("step", 0)), error=_one_line(err))
    trained_s = time.perf_counter() - start
    records = []
    for trial, prog, outcome, result in zip(trials, progress, outcomes, results, strict=True):
        scoring = time.perf_counter()
        if isinstance(result, DivergedError):
            outcome.update(status="diverged", step=result.step, error=_one_line(result))
        elif result is not None:
            try:
                outcome.update(_final_scores(trial, result, prog))
            except Exception as err:
                outcome.update(step=int(prog.last.get("step", 0)), error=_one_line(err))
        wall = prog.earlier + trained_s + time.perf_counter() - scoring
        records.append(_save_outcome(prog, outcome, wall))
    return records


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


# --------------------------------------------------------------------------------------------
# Trials another sweep has already trained


def _training_key(cfg: TrainConfig) -> str:
    """What a trial computes, as text: its whole config (seed included) but where and on how
    many threads it ran."""
    what = {k: v for k, v in asdict(cfg).items() if k not in RUNTIME_FIELDS}
    return json.dumps(what, sort_keys=True, default=str)


def reusable_records(sweep_dirs: list[Path]) -> dict[str, tuple[str, dict, Path]]:
    """{training key: (donor sweep/trial, record, run directory)} of every ``done`` trial in
    ``sweep_dirs``, read through each directory's own ``spec.yaml`` (the first sweep listed
    wins a tie)."""
    donors: dict[str, tuple[str, dict, Path]] = {}
    for sweep_dir in sweep_dirs:
        try:
            trials = load_spec(sweep_dir / "spec.yaml").trials(sweep_dir)
        except GridcoreError as err:
            raise GridcoreError(f"reuse: {sweep_dir} is not a readable sweep ({err})") from None
        for t in trials:
            record = read_trial(t)
            if record is not None and record["status"] == "done":
                origin = f"{sweep_dir.name}/{t.name}"
                donors.setdefault(_training_key(t.cfg), (origin, record, t.run_dir))
    return donors


def _with_later_metrics(record: dict, run_dir: Path) -> dict:
    """``record`` with the :data:`LATER_METRICS` that an older gridcore did not measure, taken
    from the network saved in ``run_dir`` (left as they are where it is not on this machine)."""
    if all(k in record for k in LATER_METRICS) or not (run_dir / "model.safetensors").is_file():
        return record
    later = long_path_errors(load_network(run_dir))
    curve = [
        {**point, **later} if point.get("source") == "final" else point
        for point in record.get("curve", [])
    ]
    return {**record, **later, "curve": curve}


def reuse_trial(trial: Trial, donors: dict[str, tuple[str, dict, Path]]) -> dict | None:
    """Record ``trial`` as finished with the outcome of a donor that trained exactly its config
    and seed (:func:`reusable_records`), its origin in ``reused_from``; None if none did. What
    the donor's record lacks of :data:`LATER_METRICS` is measured on its saved network."""
    hit = donors.get(_training_key(trial.cfg))
    if hit is None:
        return None
    origin, donor, donor_dir = hit
    record = {
        **_with_later_metrics(donor, donor_dir),
        "trial": trial.name,
        "condition": trial.condition,
        "seed": trial.seed,
        **trial.values,
        "reused_from": origin,
    }
    trial.run_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(trial.run_dir / STATUS_FILE, json.dumps(record, indent=1))
    return record
