"""Grid fraction and grid scale over training, scored from every snapshot of a sweep's trials.

    python experiments/scale_curves.py experiments/headline-fast --every 2

(``--unfinished`` also scores trials still training, keeping earlier sessions' rows) writes
``experiments/headline-fast/scale_curves.csv`` (rows like ``curves.csv``'s, ``source``
"snapshot"; metrics ``grid_fraction_037``, DeepMind's scorer, ``median_scale_m``, gridcore's
scale of its units above 0.37, and ``scale_clusters``, the clusters of those scales by BIC), which book chapter 15 reads. It needs the trials' run
directories, which stay on the machine that trained them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from gridcore.errors import GridcoreError
from gridcore.files import atomic_write
from gridcore.sweeps import snapshot_curves


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", type=Path, help="a sweep directory (holding spec.yaml)")
    parser.add_argument("--every", type=int, default=1, help="score every N-th snapshot")
    parser.add_argument("--trajectories", type=int, default=1000, help="fresh paths per map")
    parser.add_argument(
        "--unfinished",
        action="store_true",
        help="also score the snapshots of trials still training, and keep the rows already in "
        "scale_curves.csv for snapshots no longer on this machine (runs that outlast a session)",
    )
    args = parser.parse_args()
    try:
        if args.every < 1 or args.trajectories < 1:
            raise GridcoreError("--every and --trajectories must be positive integers")
        if not (args.sweep / "spec.yaml").is_file():
            raise GridcoreError(f"{args.sweep}: no spec.yaml; give a sweep directory")
        curves = snapshot_curves(
            args.sweep, args.every, args.trajectories, progress=True, unfinished=args.unfinished
        )
        out = args.sweep / "scale_curves.csv"
        if args.unfinished and out.is_file():
            old = pd.read_csv(out)
            key = ["trial", "step", "metric"]
            fresh = set(map(tuple, curves[key].itertuples(index=False)))
            kept = old[[tuple(k) not in fresh for k in old[key].itertuples(index=False)]]
            curves = pd.concat([kept, curves], ignore_index=True).sort_values(key)
        if curves.empty:
            raise GridcoreError(f"{args.sweep}: no finished trial with its run directory here")
        atomic_write(out, lambda tmp: curves.to_csv(tmp, index=False))
    except GridcoreError as err:
        print(f"scale_curves: {err}", file=sys.stderr)
        return 2
    print(f"wrote {out}: {curves['trial'].nunique()} trials, {len(curves)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
