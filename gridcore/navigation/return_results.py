"""The vector-navigation experiment's tables, read over seeds, and its verdict.

The primary measure, fixed before any agent trained: goals reached per episode on held-out
test episodes, grid agents (variant ``bottleneck``, the paper's grid agent) against place
agents (``place``), one value per seed. The test is a two-sided permutation test on the
difference of the seed means; beside it, a bootstrap interval for that difference and the
smallest difference the design would detect (two-sided alpha 0.05, power 0.8, the pooled
spread of the seeds).

The verdict (:func:`verdict`):

* **reproduced**: grid agents reach more goals, p < 0.05;
* **not reproduced**: place agents reach more goals (p < 0.05), or the difference is not
  significant although the design could detect a difference as large, relative to the place
  agents, as the paper's open-arena one (289 against 238 goals, +21 %);
* **inconclusive**: otherwise: the design could not have told.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from gridcore.paper import NAV_GOALS

RESULTS_FILE = "navigation.csv"
CURVES_FILE = "learning_curves.csv"
PREFLIGHT_FILE = "preflight.csv"
DRIFT_FILE = "drift.csv"
SPEC_FILE = "spec.yaml"
PRIMARY = "held-out"
GRID, PLACE = "bottleneck", "place"
PAPER_GRID_SCORE, PAPER_PLACE_SCORE = NAV_GOALS["open arena"]
PAPER_RELATIVE_EFFECT = PAPER_GRID_SCORE / PAPER_PLACE_SCORE - 1
ALPHA, POWER = 0.05, 0.8


def read_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """The experiment's tables that exist in ``directory``, by file stem."""
    directory = Path(directory)
    files = (RESULTS_FILE, CURVES_FILE, PREFLIGHT_FILE, DRIFT_FILE)
    return {Path(f).stem: pd.read_csv(directory / f) for f in files if (directory / f).is_file()}


def per_seed(results: pd.DataFrame, variant: str, condition: str = PRIMARY) -> np.ndarray:
    """Goals per episode of each seed of ``variant`` in ``condition``, in seed order."""
    rows = results[(results.variant == variant) & (results.condition == condition)]
    return rows.sort_values("seed").goals_per_episode.to_numpy(dtype=float)


def permutation_p(a: np.ndarray, b: np.ndarray, max_exact: int = 200_000, seed: int = 0) -> float:
    """Two-sided permutation p-value of the difference of means of ``a`` and ``b``: exact
    over every split when there are at most ``max_exact``, else from that many random ones."""
    pooled, n = np.concatenate([a, b]), len(a)
    observed = abs(a.mean() - b.mean())
    total = math.comb(len(pooled), n)
    if total <= max_exact:
        splits = (list(c) for c in itertools.combinations(range(len(pooled)), n))
    else:
        rng = np.random.default_rng(seed)
        splits = (rng.permutation(len(pooled))[:n] for _ in range(max_exact))
    hits = count = 0
    for idx in splits:
        mask = np.zeros(len(pooled), dtype=bool)
        mask[idx] = True
        hits += abs(pooled[mask].mean() - pooled[~mask].mean()) >= observed - 1e-12
        count += 1
    return hits / count


def bootstrap_interval(
    a: np.ndarray, b: np.ndarray, level: float = 0.95, n: int = 10_000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(a) - mean(b), seeds resampled within each arm."""
    rng = np.random.default_rng(seed)
    diffs = rng.choice(a, (n, len(a))).mean(1) - rng.choice(b, (n, len(b))).mean(1)
    lo, hi = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def detectable_difference(
    a: np.ndarray, b: np.ndarray, alpha: float = ALPHA, power: float = POWER
) -> float:
    """The smallest difference of means that a two-sided t-test on these seeds would detect
    with ``power``, from the pooled s.d. of the two arms (goals per episode)."""
    df = len(a) + len(b) - 2
    pooled = math.sqrt(((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / df)
    t = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    return float(t * pooled * math.sqrt(1 / len(a) + 1 / len(b)))


@dataclass(frozen=True)
class Primary:
    """The primary comparison: grid against place agents, goals per held-out episode."""

    grid: np.ndarray
    place: np.ndarray
    p: float
    interval: tuple[float, float]
    detectable: float

    @property
    def difference(self) -> float:
        return float(self.grid.mean() - self.place.mean())

    @property
    def paper_sized(self) -> float:
        """The paper's relative effect (+21 %) at our place agents' level, goals/episode."""
        return float(PAPER_RELATIVE_EFFECT * self.place.mean())


def primary(results: pd.DataFrame) -> Primary:
    """The primary comparison over seeds (needs at least two seeds an arm)."""
    grid, place = per_seed(results, GRID), per_seed(results, PLACE)
    if min(len(grid), len(place)) < 2:
        raise ValueError(f"need two seeds an arm, have {len(grid)} grid and {len(place)} place")
    return Primary(
        grid,
        place,
        permutation_p(grid, place),
        bootstrap_interval(grid, place),
        detectable_difference(grid, place),
    )


def verdict(result: Primary) -> str:
    """``reproduced``, ``not reproduced`` or ``inconclusive`` (see the module's text)."""
    if result.p < ALPHA:
        return "reproduced" if result.difference > 0 else "not reproduced"
    return "not reproduced" if result.detectable <= result.paper_sized else "inconclusive"


def summary_table(results: pd.DataFrame, condition: str = PRIMARY) -> pd.DataFrame:
    """Per variant in ``condition``: seeds, median and range of goals per episode."""
    rows = results[results.condition == condition]
    out = rows.groupby("variant").goals_per_episode.agg(
        seeds="count", median="median", low="min", high="max"
    )
    return out.reset_index()
