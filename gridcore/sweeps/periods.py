"""Grid period against the place cells' width: every finished trial of every sweep, beside the
period that centre-surround targets predict (:mod:`gridcore.grid_period`).

The measured period is a trial's median grid scale (gridcore's scorer, over its units above
0.37); a network with too few grid-like units has no meaningful scale and is left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.errors import GridcoreError
from gridcore.grid_period import predicted_period
from gridcore.sweeps.spec import load_spec
from gridcore.sweeps.tables import load_all

PERIOD_COLUMNS = [
    "experiment",
    "trial",
    "condition",
    "seed",
    "place_kind",
    "place_sigma_m",
    "surround_scale",
    "place_ensembles",
    "grid_fraction_037",
    "median_scale_m",
    "predicted_period_m",
]


def _place_settings(sweep_dir: Path) -> dict[str, dict]:
    """{trial name: its place-cell settings} from the sweep's spec ({} when it does not load)."""
    try:
        trials = load_spec(sweep_dir / "spec.yaml").trials(sweep_dir)
    except GridcoreError:
        return {}
    return {
        t.name: {
            "place_kind": t.cfg.place_kind,
            "place_sigma_m": t.cfg.place_sigma,
            "surround_scale": t.cfg.surround_scale,
            "place_ensembles": t.cfg.place_ensembles,
        }
        for t in trials
    }


def period_table(root: str | Path = "experiments", min_fraction: float = 0.05) -> pd.DataFrame:
    """One row per distinct finished trial under ``root`` with at least ``min_fraction`` of its
    units above 0.37 (DeepMind's scorer): its place-cell kind, width sigma (m), surround scale and
    number of ensembles, its median grid scale (m) and, for single-ensemble centre-surround
    targets, the predicted period (m; NaN for the softmax of Gaussians, which predicts none)."""
    root = Path(root)
    data = load_all(root)
    if data.empty:
        return pd.DataFrame(columns=PERIOD_COLUMNS)
    settings = {name: _place_settings(root / name) for name in data["experiment"].unique()}
    rows = []
    for _, r in data.iterrows():
        place = settings[r["experiment"]].get(r["trial"])
        frac, scale = r.get("grid_fraction_037"), r.get("median_scale_m")
        if place is None or not np.isfinite(scale) or not frac >= min_fraction:
            continue
        single_dog = place["place_kind"] == "dog" and place["place_ensembles"] == 1
        predicted = (
            float(predicted_period(place["place_sigma_m"], place["surround_scale"]))
            if single_dog
            else np.nan
        )
        rows.append(
            {
                "experiment": r["experiment"],
                "trial": r["trial"],
                "condition": r["condition"],
                "seed": int(r["seed"]),
                **place,
                "grid_fraction_037": float(frac),
                "median_scale_m": float(scale),
                "predicted_period_m": predicted,
            }
        )
    return pd.DataFrame(rows, columns=PERIOD_COLUMNS)
