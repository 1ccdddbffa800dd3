"""Run a sweep's trials in a local process pool, on a machine where Ray is not installed.

    python experiments/pool_run.py experiments/dropout.yaml --out experiments/dropout --workers 16

Each trial trains exactly as under ``gridcore sweep`` (``gridcore.sweeps.run_trial``: gridcore's
own loop into ``DIR/trials/<trial>/``, scored at the end) and records its outcome in the trial's
``sweep_trial.json``. The sweep directory is handled as ``gridcore sweep`` handles it: refused if
it holds another spec, locked while the pool runs, and the trials that the sweeps named in the
spec's ``reuse`` trained are taken over, not retrained. ``results.csv`` and ``curves.csv`` are
written at the end. Running ``python -m gridcore sweep SPEC --out DIR`` afterwards, on any
machine, finds those trials finished and trains nothing; unfinished trials resume from their
checkpoints there.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from pathlib import Path

from gridcore.errors import GridcoreError
from gridcore.sweeps import Trial, load_spec, run_trial, write_tables
from gridcore.sweeps.runner import check_out, sweep_directory


def _run(trial: Trial) -> tuple[str, str, float, float]:
    start = time.perf_counter()
    record = run_trial(trial)
    return (
        trial.name,
        record["status"],
        record.get("grid_fraction_037"),
        time.perf_counter() - start,
    )


def run_pool(spec_path: Path, out: Path, workers: int) -> None:
    """Run the unfinished trials of the sweep ``spec_path`` in ``out`` on ``workers`` processes."""
    if workers < 1:
        raise GridcoreError(f"--workers must be a positive integer, got {workers}")
    spec, out = load_spec(spec_path), out.resolve()
    check_out(out, spec)
    trials = spec.trials(out)
    with sweep_directory(out, spec, spec_path.read_text(), trials) as (_, pending):
        print(f"{out}: {len(pending)} of {len(trials)} trials to run on {workers} workers")
        with mp.get_context("spawn").Pool(workers, maxtasksperchild=1) as pool:
            for name, status, fraction, wall in pool.imap_unordered(_run, pending):
                shown = "–" if fraction is None else f"{100 * fraction:.1f} %"
                print(f"{status:9s} {name}: {shown} grid units (> 0.37), {wall:.0f} s", flush=True)
        write_tables(out, spec, trials)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=mp.cpu_count())
    args = parser.parse_args()
    try:
        run_pool(args.spec, args.out, args.workers)
    except GridcoreError as err:
        print(f"gridcore: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
