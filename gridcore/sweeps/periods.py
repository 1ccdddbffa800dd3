"""Grid period against the place cells' width: every finished trial of every sweep, beside the
period that centre-surround targets predict (:mod:`gridcore.scoring.grid_period`).

The measured period is a trial's median grid scale (gridcore's scorer, over its units above
0.37); a network with too few grid-like units has no meaningful scale and is left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.errors import GridcoreError
from gridcore.scoring.grid_period import predicted_period
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


def _medians(df: pd.DataFrame | None, sigma: float) -> dict[str, float]:
    if df is None or "place_sigma" not in df.columns:
        return {"seeds": 0}
    part = df[(df["status"] == "done") & np.isclose(df["place_sigma"].astype(float), sigma)]
    return {
        "seeds": len(part),
        "error_cm": float(part["position_error_cm"].median()) if len(part) else np.nan,
        "grid": float(part["grid_fraction_037"].median()) if len(part) else np.nan,
        "scale_m": float(part["median_scale_m"].median()) if len(part) else np.nan,
    }


def width_table(
    lever: pd.DataFrame | None,
    control: pd.DataFrame | None,
    surround_scale: float = 2.0,
) -> pd.DataFrame:
    """Per place-cell width (the ``place_sigma`` column of two sweep tables over the same
    widths): the predicted period, and for the lever's and the control's finished seeds the
    median position error (cm), grid-like share (> 0.37) and median grid scale (m), with the
    lever's measured period over the predicted one. Medians over seeds at the sweep's last
    step; a width either table lacks shows NaN and 0 seeds."""
    widths = sorted(
        {
            float(s)
            for df in (lever, control)
            if df is not None and "place_sigma" in df.columns
            for s in df["place_sigma"]
        }
    )
    rows = []
    for sigma in widths:
        on, off = _medians(lever, sigma), _medians(control, sigma)
        predicted = float(predicted_period(sigma, surround_scale))
        rows.append(
            {
                "sigma (cm)": round(100 * sigma, 1),
                "predicted period (m)": predicted,
                "seeds": on["seeds"],
                "position error (cm)": on.get("error_cm", np.nan),
                "grid-like": on.get("grid", np.nan),
                "period (m)": on.get("scale_m", np.nan),
                "period / predicted": on.get("scale_m", np.nan) / predicted,
                "control seeds": off["seeds"],
                "control error (cm)": off.get("error_cm", np.nan),
                "control grid-like": off.get("grid", np.nan),
            }
        )
    return pd.DataFrame(rows).set_index("sigma (cm)") if rows else pd.DataFrame()


def period_answer(widths: pd.DataFrame, min_seeds: int = 2) -> str:
    """One sentence from :func:`width_table`: does the measured period grow with sigma, and how
    far is it from the prediction (measured over predicted, smallest to largest)?"""
    ok = (
        widths[(widths["seeds"] >= min_seeds) & np.isfinite(widths["period (m)"])]
        if len(widths)
        else widths
    )
    if len(ok) < 2:
        return f"Cannot tell yet: fewer than two widths have {min_seeds} finished seeds."
    measured = ok["period (m)"].to_numpy()
    rising = bool(np.all(np.diff(measured) > 0))
    ratio = ok["period / predicted"]
    close = bool(((ratio > 0.8) & (ratio < 1.25)).all())
    word = "Yes" if rising and close else ("In direction only" if rising else "No")
    seeds = int(ok["seeds"].min())
    sig = ok.index.to_numpy()
    return (
        f"{word}: from σ = {sig[0]:g} to {sig[-1]:g} cm the median period goes from "
        f"{measured[0]:.2f} to {measured[-1]:.2f} m (at least {seeds} seeds per width), where "
        f"{ok['predicted period (m)'].iloc[0]:.2f} to {ok['predicted period (m)'].iloc[-1]:.2f} m "
        f"is predicted: measured over predicted runs from {ratio.min():.2f} to {ratio.max():.2f}, "
        f"{'falling as σ grows (flatter than the prediction)' if ratio.iloc[0] > ratio.iloc[-1] else 'rising as σ grows'}."
    )
