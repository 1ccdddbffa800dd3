"""Grid units and their scales in every finished network of a sweep, rescored on more trajectories.

    python experiments/unit_scales.py experiments/modules-widths --trajectories 5000

writes ``experiments/modules-widths/unit_scales.csv`` (one row per grid-like unit with a scale,
gridcore's scorer, with each network's grid-like share, DeepMind's scorer), which
``gridcore.sweeps.grid_modules.module_table`` reads in place of the trials' own final scoring:
modules are counted among the units' scales, and a sweep's final scoring on a few hundred paths
measures each scale less precisely. It needs the trials' run directories, which stay on the
machine that trained them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridcore.errors import GridcoreError
from gridcore.files import atomic_write
from gridcore.sweeps.grid_modules import UNIT_SCALES_FILE, score_unit_scales


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", type=Path, help="a sweep directory (holding spec.yaml)")
    parser.add_argument("--trajectories", type=int, default=5000, help="fresh paths per map")
    args = parser.parse_args()
    try:
        if args.trajectories < 1:
            raise GridcoreError("--trajectories must be a positive integer")
        if not (args.sweep / "spec.yaml").is_file():
            raise GridcoreError(f"{args.sweep}: no spec.yaml; give a sweep directory")
        table = score_unit_scales(args.sweep, args.trajectories, progress=True)
        if table.empty:
            raise GridcoreError(f"{args.sweep}: no finished trial with its run directory here")
        out = args.sweep / UNIT_SCALES_FILE
        atomic_write(out, lambda tmp: table.to_csv(tmp, index=False))
    except GridcoreError as err:
        print(f"unit_scales: {err}", file=sys.stderr)
        return 2
    print(
        f"wrote {out}: {table['trial'].nunique()} networks, {int((table['unit'] >= 0).sum())} units"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
