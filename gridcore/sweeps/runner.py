"""Running a sweep: its directory, Ray Tune, and the command's summary."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import logging
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from safetensors import SafetensorError, safe_open

from gridcore.errors import GridcoreError
from gridcore.files import write_text_atomic
from gridcore.sweeps.spec import (
    FINISHED,
    RAY_MISSING,
    STATUS_FILE,
    Spec,
    Trial,
    load_spec,
    spec_from_dict,
)
from gridcore.sweeps.tables import write_tables
from gridcore.sweeps.trials import (
    _one_line,
    read_trial,
    reusable_records,
    reuse_trial,
    run_pack,
)
from gridcore.training.stacked import STACKABLE_CORES

GITIGNORE = """\
# Written by `gridcore sweep`. Each trial's outcome, trials/*/sweep_trial.json (a few kB), stays in
# git, so that the same command in a fresh clone skips the finished trials and rebuilds the
# tables; the trials' run directories and Ray Tune's own records stay out.
trials/*/*
!trials/*/sweep_trial.json
ray/
.lock
"""


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``DIR/.lock`` so that two sweeps never write into one directory at once."""
    with open(out / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise GridcoreError(f"{out}: another sweep is running in this directory") from None
        yield


def check_out(out: Path, spec: Spec) -> None:
    """Refuse a directory made by a different spec, or one that is not empty and holds no sweep."""
    saved = out / "spec.yaml"
    if saved.exists():
        import yaml

        try:
            old = spec_from_dict(yaml.safe_load(saved.read_text()), str(saved))
        except (GridcoreError, yaml.YAMLError):
            raise GridcoreError(f"{saved}: not a readable sweep spec; choose a new --out") from None
        if old != spec:
            mine, theirs = old.as_dict(), spec.as_dict()
            key = next(k for k in mine if mine[k] != theirs[k])
            raise GridcoreError(
                f"{out} holds a sweep with a different spec ({key}: {mine[key]!r} there, "
                f"{theirs[key]!r} here); choose a new --out"
            )
        return
    if out.exists() and any(p.name != ".lock" for p in out.iterdir()):
        raise GridcoreError(f"{out} is not empty and holds no sweep; choose a new --out")


def _prepare_out(out: Path, spec_text: str) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "trials").mkdir(exist_ok=True)
        if not (out / "spec.yaml").exists():
            write_text_atomic(out / "spec.yaml", spec_text)
        if not (out / ".gitignore").exists():
            write_text_atomic(out / ".gitignore", GITIGNORE)
    except OSError as err:
        raise GridcoreError(f"cannot write to sweep directory {out}: {err.strerror}") from None


# --------------------------------------------------------------------------------------------
# Running a sweep


@dataclass
class SweepRun:
    """What :func:`run` did: the sweep's table, and which trials it trained or skipped."""

    out: Path
    table: pd.DataFrame
    trained: list[str]
    skipped: list[str]
    unfinished: list[str]

    @property
    def counts(self) -> dict[str, int]:
        return self.table["status"].value_counts().to_dict() if len(self.table) else {}


def _ray_trial(config: dict, packs: dict[str, list[Trial]]) -> None:
    """The Ray Tune trainable: one pack of trials (usually one), reporting each scoring to Tune."""
    from ray import tune

    run_pack(packs[config["trial"]], report=tune.report)


def _checkpoint_step(run_dir: Path) -> int | None:
    """The step of a trial's last checkpoint (0: none; None: unreadable)."""
    path = run_dir / "train_state.safetensors"
    if not path.exists():
        return 0
    try:
        with safe_open(str(path), framework="pt") as fh:
            return int((fh.metadata() or {}).get("step", 0))
    except (SafetensorError, OSError, ValueError):
        return None


def _packs(pending: list[Trial], size: int) -> dict[str, list[Trial]]:
    """Up to ``size`` trials per pack, each pack sharing every setting but the seed and the step
    its checkpoints are at (one stacked network); named after its first trial. A core that
    cannot be stacked (``gridcore.training.stacked.STACKABLE_CORES``) trains one trial per pack."""
    groups: dict[tuple, list[Trial]] = {}
    for t in pending:
        step = _checkpoint_step(t.run_dir)
        key = (replace(t.cfg, seed=0).to_json(), step if step is not None else t.name)
        groups.setdefault(key, []).append(t)
    packs = [
        g[i : i + n]
        for g in groups.values()
        for n in [size if g[0].cfg.core in STACKABLE_CORES else 1]
        for i in range(0, len(g), n)
    ]
    return {p[0].name + (f"+{len(p) - 1}" if len(p) > 1 else ""): p for p in packs}


def _finished_line(record: dict) -> str:
    name = f"{record['condition']}  seed {record['seed']}"
    wall = f"{record.get('wall_s') or 0:.0f} s"
    if record["status"] == "done":
        frac = record.get("grid_fraction_037")
        frac = "–" if frac is None else f"{100 * frac:.1f} %"
        return f"done      {name}: {frac} grid units (> 0.37), {wall}"
    return (
        f"{record['status']:9s} {name} at step {record.get('step')}: {record.get('error')} ({wall})"
    )


PROGRESS_COLUMNS = {
    "step": "step",
    "loss": "loss",
    "position_error_cm": "error (cm)",
    "grid_fraction_037": "grid > 0.37",
}


@contextmanager
def _env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of a block."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run_on_ray(
    out: Path,
    spec: Spec,
    trials: list[Trial],
    pending: list[Trial],
    workers: int,
    address: str | None,
    gpus_per_trial: float,
    verbose: int,
    models_per_worker: int = 1,
) -> None:
    try:
        import ray
        from ray import tune
    except ImportError:
        raise GridcoreError(RAY_MISSING) from None

    by_name = _packs(pending, models_per_worker)
    every = trials

    class Tables(tune.Callback):
        """In the driver: one line per finished trial, and the tables rewritten."""

        def on_trial_complete(self, iteration, trials, trial, **info):
            for t in by_name[trial.config["trial"]]:
                record = read_trial(t)
                if record is not None:
                    print(_finished_line(record), flush=True)
            write_tables(out, spec, every)

        def on_trial_error(self, iteration, trials, trial, **info):
            for t in by_name[trial.config["trial"]]:
                if read_trial(t) is not None:
                    continue
                # The worker died before it could record anything.
                record = {
                    "trial": t.name,
                    "condition": t.condition,
                    "seed": t.seed,
                    **t.values,
                    "status": "failed",
                    "step": 0,
                    "error": f"the trial's Ray worker failed (Ray's logs: {out / 'ray'})",
                    "curve": [],
                }
                write_text_atomic(t.run_dir / STATUS_FILE, json.dumps(record))
                print(_finished_line(record), flush=True)
            write_tables(out, spec, every)

    started = not ray.is_initialized()
    if started:
        quiet = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
        try:
            if address:
                ray.init(
                    address=address, **{k: v for k, v in quiet.items() if k != "include_dashboard"}
                )
            else:
                ray.init(num_cpus=workers, **quiet)
        except (ConnectionError, RuntimeError, ValueError) as err:
            raise GridcoreError(
                f"cannot start Ray{f' at {address}' if address else ''}: {_one_line(err)}"
            ) from None
    try:
        if gpus_per_trial > ray.cluster_resources().get("GPU", 0):
            raise GridcoreError(
                f"--gpus-per-trial {gpus_per_trial:g}: the Ray cluster has "
                f"{ray.cluster_resources().get('GPU', 0):g} GPUs"
            )
        threads = {name: pack[0].cfg.threads for name, pack in by_name.items()}
        trainable = tune.with_resources(
            tune.with_parameters(_ray_trial, packs=by_name),
            lambda config: {"cpu": threads[config["trial"]], "gpu": gpus_per_trial},
        )
        # Tune's compact table (its "legacy" reporter): redrawn in place in a notebook, printed
        # once a minute in a terminal; gridcore prints its own line as each trial finishes.
        from ray.widgets.util import in_notebook

        reporter = (tune.JupyterNotebookReporter if in_notebook() else tune.CLIReporter)(
            metric_columns=PROGRESS_COLUMNS,
            parameter_columns=[],
            max_report_frequency=5 if in_notebook() else 60,
            max_progress_rows=50,
        )
        tuner = tune.Tuner(
            trainable,
            param_space={"trial": tune.grid_search(list(by_name))},
            tune_config=tune.TuneConfig(
                max_concurrent_trials=workers,
                reuse_actors=True,
                trial_name_creator=lambda trial: trial.config["trial"],
                trial_dirname_creator=lambda trial: trial.config["trial"],
            ),
            run_config=tune.RunConfig(
                name=time.strftime("sweep-%Y%m%d-%H%M%S"),
                storage_path=str(out / "ray"),
                callbacks=[Tables()],
                progress_reporter=reporter if verbose else None,
                verbose=verbose,
            ),
        )
        with _env(RAY_AIR_NEW_OUTPUT="0"):
            tuner.fit()
    finally:
        if started:
            ray.shutdown()


def _pending(trials: list[Trial]) -> tuple[set[str], list[Trial]]:
    """Names of the trials finished before, and the trials still to run."""
    done = {t.name for t in trials if (r := read_trial(t)) and r["status"] in FINISHED}
    return done, [t for t in trials if t.name not in done]


def _reuse(out: Path, spec: Spec, trials: list[Trial]) -> int:
    """Record the unfinished trials that a sweep in ``spec.reuse`` already trained; how many."""
    if not spec.reuse:
        return 0
    donors = reusable_records([out.parent / name for name in spec.reuse])
    _, pending = _pending(trials)
    return sum(reuse_trial(t, donors) is not None for t in pending)


@contextmanager
def sweep_directory(
    out: Path, spec: Spec, spec_text: str, trials: list[Trial]
) -> Iterator[tuple[set[str], list[Trial]]]:
    """Hold the sweep directory ``out`` for a block: written if new (``spec.yaml`` from
    ``spec_text``, ``trials/``, ``.gitignore``) and locked against a second sweep; the trials
    that the sweeps in ``spec.reuse`` trained recorded as this one's. Yields the names of the
    trials finished before and the trials still to run. Check ``out`` against ``spec`` first
    (:func:`check_out`)."""
    _prepare_out(out, spec_text)
    with _locked(out):
        reused = _reuse(out, spec, trials)
        if reused:
            print(f"sweep {out}: {reused} trials reused from {', '.join(spec.reuse)}", flush=True)
        yield _pending(trials)


def _recorded_since(trial: Trial, start: float) -> bool:
    try:
        return (trial.run_dir / STATUS_FILE).stat().st_mtime >= start
    except FileNotFoundError:
        return False


def run(
    spec_path: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    address: str | None = None,
    gpus_per_trial: float = 0.0,
    verbose: int = 1,
    models_per_worker: int = 1,
) -> SweepRun:
    """Run the sweep ``spec_path`` into ``out``: every unfinished trial on Ray Tune.

    Ray starts locally with ``workers`` CPUs (default: every core), one trial per CPU, and stops
    at the end; with ``address`` the trials go to that Ray cluster instead (at most ``workers``
    at a time, if given), whose nodes must all see ``out``. A Ray session already started in
    this process is used as it is. ``gpus_per_trial`` reserves a share of a GPU for each Ray
    trial, which then trains on the GPU (``device=cuda``). With ``models_per_worker`` M > 1, up
    to M trials that share every setting but the seed train as one stacked network in one Ray
    trial (:func:`gridcore.training.train.train_stacked`); their run directories and rows are as
    always. Finished trials are skipped; unfinished ones resume from their last checkpoint.
    """
    spec_path, out = Path(spec_path), Path(out).resolve()
    spec = load_spec(spec_path)
    spec_text = spec_path.read_text()
    if gpus_per_trial < 0 or not math.isfinite(gpus_per_trial):
        raise GridcoreError(f"--gpus-per-trial must be >= 0, got {gpus_per_trial}")
    if workers is not None and workers < 1:
        raise GridcoreError(f"--workers must be a positive integer, got {workers}")
    if models_per_worker < 1:
        raise GridcoreError(
            f"--models-per-worker must be a positive integer, got {models_per_worker}"
        )
    check_out(out, spec)
    trials = spec.trials(out)
    if gpus_per_trial > 0:
        trials = [replace(t, cfg=replace(t.cfg, device="cuda")) for t in trials]
    elif any(t.cfg.device == "cuda" for t in trials):
        raise GridcoreError("the spec sets device: cuda; reserve GPUs with --gpus-per-trial")
    if importlib.util.find_spec("ray") is None and _pending(trials)[1] and not spec.reuse:
        raise GridcoreError(RAY_MISSING)
    start = time.time()
    with sweep_directory(out, spec, spec_text, trials) as (done_before, pending):
        write_tables(out, spec, trials)
        if pending:
            resumed = sum((t.run_dir / "train_state.safetensors").exists() for t in pending)
            print(
                f"sweep {out}: {len(pending)} of {len(trials)} trials to run"
                + (f" ({resumed} resumed from a checkpoint)" if resumed else "")
                + (f", {len(done_before)} already finished" if done_before else ""),
                flush=True,
            )
            if address is None:
                workers = workers or os.cpu_count() or 1
            _run_on_ray(
                out,
                spec,
                trials,
                pending,
                workers,
                address,
                gpus_per_trial,
                verbose,
                models_per_worker,
            )
        table = write_tables(out, spec, trials)
    finished = set(table["trial"][table["status"].isin(FINISHED)])
    return SweepRun(
        out=out,
        table=table,
        trained=[t.name for t in pending if _recorded_since(t, start)],
        skipped=[t.name for t in trials if t.name in done_before],
        unfinished=[t.name for t in trials if t.name not in finished],
    )


def main(
    spec_path: Path,
    out: Path,
    workers: int | None = None,
    address: str | None = None,
    gpus_per_trial: float = 0.0,
    quiet: bool = False,
    models_per_worker: int = 1,
) -> int:
    """``python -m gridcore sweep``: run the sweep, print its summary; the exit status."""
    try:
        res = run(
            spec_path,
            out,
            workers=workers,
            address=address,
            gpus_per_trial=gpus_per_trial,
            verbose=0 if quiet else 1,
            models_per_worker=models_per_worker,
        )
    except KeyboardInterrupt:
        print("gridcore: interrupted; rerun the same command to resume the sweep", file=sys.stderr)
        return 130
    counts = ", ".join(f"{n} {s}" for s, n in res.counts.items()) or "no trial finished"
    print(
        f"sweep {res.out}: {counts}; trained {len(res.trained)} now, skipped {len(res.skipped)} "
        f"finished before. Table: {res.out / 'results.csv'}"
    )
    if res.unfinished:
        print(
            f"gridcore: {len(res.unfinished)} trials failed or did not finish (e.g. "
            f"{res.unfinished[0]}); rerun the same command to retry or resume them",
            file=sys.stderr,
        )
        return 1
    return 0
