"""Run a sweep's trials in a local process pool, on a machine where Ray is not installed.

    python experiments/pool_run.py experiments/dropout.yaml --out experiments/dropout --workers 16

Each trial trains exactly as under ``gridcore sweep`` (``gridcore.sweeps.run_trial``: gridcore's
own loop into ``DIR/trials/<trial>/``, scored at the end) and records its outcome in the trial's
``sweep_trial.json``. Running ``python -m gridcore sweep SPEC --out DIR`` afterwards, on any
machine, finds those trials finished, trains nothing and writes ``results.csv`` and
``curves.csv``. Unfinished trials resume from their checkpoints there.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import sys
import time
from pathlib import Path

from gridcore.sweeps import Trial, load_spec, read_trial, run_trial
from gridcore.sweeps.spec import FINISHED


def _run(trial: Trial) -> tuple[str, str, float, float]:
    start = time.perf_counter()
    record = run_trial(trial)
    return (
        trial.name,
        record["status"],
        record.get("grid_fraction_037"),
        time.perf_counter() - start,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=mp.cpu_count())
    args = parser.parse_args()
    spec = load_spec(args.spec)
    out = args.out.resolve()
    (out / "trials").mkdir(parents=True, exist_ok=True)
    saved = out / "spec.yaml"
    if saved.exists() and saved.read_text() != args.spec.read_text():
        print(f"{saved} holds a different spec", file=sys.stderr)
        return 2
    if not saved.exists():
        shutil.copyfile(args.spec, saved)
    trials = spec.trials(out)
    pending = [t for t in trials if not ((r := read_trial(t)) and r["status"] in FINISHED)]
    print(f"{out}: {len(pending)} of {len(trials)} trials to run on {args.workers} workers")
    with mp.get_context("spawn").Pool(args.workers, maxtasksperchild=1) as pool:
        for name, status, fraction, wall in pool.imap_unordered(_run, pending):
            shown = "–" if fraction is None else f"{100 * fraction:.1f} %"
            print(f"{status:9s} {name}: {shown} grid units (> 0.37), {wall:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
