"""Plots of the find-then-return experiment draw every seed and label their axes."""

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from gridcore import plots  # noqa: E402


def test_drift_draws_median_and_95th_per_anchor_fraction():
    steps = np.arange(1, 11)
    drift = pd.concat(
        [
            pd.DataFrame(
                {"anchor_prob": p, "step": steps, "median_cm": steps * (1 - p), "p95_cm": 2 * steps}
            )
            for p in (0.0, 0.05)
        ]
    )
    ax = plots.plot_drift(drift, tolerance_cm=20)
    assert len(ax.lines) == 5 and "error" in ax.get_ylabel()


def test_goal_curves_and_goals_by_seed_show_every_seed():
    curves = pd.DataFrame(
        [
            {"variant": v, "seed": s, "env_steps": t, "goals": t / 1e5 + s}
            for v in ("bottleneck", "place")
            for s in range(3)
            for t in (1e5, 2e5, 3e5)
        ]
    )
    ax = plots.plot_goal_curves(curves)
    assert len(ax.lines) == 2 * (3 + 1)
    results = pd.DataFrame(
        [
            {"variant": v, "seed": s, "condition": "held-out", "goals_per_episode": s + 1.0}
            for v in ("bottleneck", "place", "baseline")
            for s in range(3)
        ]
    )
    ax = plots.plot_goals_by_seed(results)
    assert len(ax.patches) == 3 and ax.get_ylabel() == "goals per episode"
    ax = plots.plot_goals_by_seed(results, variants=["place"])
    assert len(ax.patches) == 1
