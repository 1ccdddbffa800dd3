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
PREFLIGHT_TARGET = 0.90  # the share of return trips the code must carry before agents train


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


def like_seeds(values: np.ndarray, n: int) -> np.ndarray:
    """``n`` values with the mean and standard deviation (ddof 1) of ``values``: evenly spaced
    quantiles of a normal distribution, rescaled."""
    z = stats.norm.ppf((np.arange(n) + 0.5) / n)
    return values.mean() + values.std(ddof=1) * z / z.std(ddof=1)


def seeds_needed(a: np.ndarray, b: np.ndarray, difference: float, max_seeds: int = 10_000) -> int:
    """The fewest seeds per arm whose detectable difference is at most ``difference``, if new
    seeds spread as ``a`` and ``b`` do (arms from :func:`like_seeds`)."""
    for n in range(2, max_seeds + 1):
        if detectable_difference(like_seeds(a, n), like_seeds(b, n)) <= difference:
            return n
    raise ValueError(f"more than {max_seeds} seeds an arm would be needed")


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


def curve_steps(curves: pd.DataFrame) -> pd.DataFrame:
    """``curves`` with ``env_steps`` at the end of each row's rollout.

    A curve has one row per rollout in which episodes ended; the episodes of a batch run in
    step, so those rows fall at equal intervals. Tables whose rows all carry the agent's whole
    budget in ``env_steps`` (as the first ones did) get their rows spread evenly over it, the
    last at the budget; curves with real step counts are returned as they are."""
    out = curves.copy()
    keys = [k for k in ("network", "variant", "seed") if k in out.columns]
    for _, idx in out.groupby(keys, sort=False).groups.items():
        steps = out.loc[idx, "env_steps"]
        if len(idx) > 1 and steps.nunique() == 1:
            n = len(idx)
            out.loc[idx, "env_steps"] = float(steps.iloc[0]) * np.arange(1, n + 1) / n
    return out


def agents(results: pd.DataFrame) -> pd.DataFrame:
    """One row per trained agent (variant, seed): its steps and whether its curve levelled off
    (``plateau``, ``plateau_change``)."""
    cols = ["variant", "seed", "env_steps", "plateau", "plateau_change"]
    return results[cols].drop_duplicates(["variant", "seed"]).reset_index(drop=True)


def plateau_counts(results: pd.DataFrame) -> tuple[int, int]:
    """How many agents' learning curves had levelled off, and how many agents there are."""
    a = agents(results)
    return int(a.plateau.astype(bool).sum()), len(a)


def _goals(value: float) -> str:
    return f"{value:.2f}"


def primary_sentence(result: Primary) -> str:
    """The primary comparison in one sentence, ending in its verdict."""
    lo, hi = result.interval
    head = (
        f"On held-out episodes the grid agents reached a median of {_goals(np.median(result.grid))}"
        f" goals per episode over {len(result.grid)} seeds and the place agents"
        f" {_goals(np.median(result.place))} over {len(result.place)}: the difference of the"
        f" means is {result.difference:+.2f} (95 % bootstrap interval {lo:+.2f} to {hi:+.2f};"
        f" permutation p = {result.p:.2f})"
    )
    paper = (
        f"the paper's difference (+{100 * PAPER_RELATIVE_EFFECT:.0f} % over the place agents)"
        f" would be {result.paper_sized:.2f} goals here"
    )
    outcome = verdict(result)
    if result.p < ALPHA:
        why = (
            "the grid agents reach more goals"
            if result.difference > 0
            else "the place agents reach more goals"
        )
    elif outcome == "not reproduced":
        why = (
            f"these seeds would detect a difference of {result.detectable:.2f} goals or more,"
            f" and {paper}, yet none showed"
        )
    else:
        why = (
            f"these seeds could detect only a difference of {result.detectable:.2f} goals or"
            f" more, while {paper}"
        )
    return f"{head}; {why}: **{outcome}**."


def medians(
    results: pd.DataFrame, column: str, conditions=(PRIMARY,), variants=None
) -> pd.DataFrame:
    """The median over seeds of ``column`` per variant (rows) and condition (columns)."""
    rows = results[results.condition.isin(conditions)]
    out = rows.pivot_table(index="variant", columns="condition", values=column, aggfunc="median")
    order = [
        v for v in (variants or ("bottleneck", "place", "baseline", "position")) if v in out.index
    ]
    return out.reindex(index=order, columns=[c for c in conditions if c in out.columns])


GOAL_CODE_OFF = "no goal code"


def goal_code_effect(results: pd.DataFrame, variant: str = GRID) -> tuple[int, int]:
    """Over the seeds of ``variant``: how many reached more goals per held-out episode with
    the goal code zeroed than with it, and how many seeds were tested both ways."""
    with_code = results[(results.variant == variant) & (results.condition == PRIMARY)]
    without = results[(results.variant == variant) & (results.condition == GOAL_CODE_OFF)]
    both = with_code.merge(without, on="seed", suffixes=("", "_off"))
    return int((both.goals_per_episode_off > both.goals_per_episode).sum()), len(both)


def goal_code_sentence(results: pd.DataFrame) -> str:
    """Whether zeroing the goal code g* changed goals per episode, per code agent."""
    parts, raised_all, raised_none = [], True, True
    for variant, name in ((GRID, "grid"), (PLACE, "place")):
        raised, n = goal_code_effect(results, variant)
        if not n:
            continue
        table = medians(results, "goals_per_episode", (PRIMARY, GOAL_CODE_OFF), [variant])
        on, off = table.loc[variant, PRIMARY], table.loc[variant, GOAL_CODE_OFF]
        parts.append(
            f"the {name} agents reached {_goals(off)} goals per episode without it against"
            f" {_goals(on)} with it (more on {raised} of {n} seeds)"
        )
        raised_all &= raised == n
        raised_none &= raised == 0
    if not parts:
        return "No agent was tested without its goal code."
    if raised_none:
        end = "every seed did worse without it, so the agents use the goal code"
    elif raised_all:
        end = "every seed did better without it, so these agents do not use the goal code"
    else:
        end = "not every seed did worse without it, so these agents do not rely on the goal code"
    return f"With the goal code zeroed, {' and '.join(parts)}: {end}."


def finding_sentence(results: pd.DataFrame) -> str:
    """What the controls and the learning curves say about the code agents, in two sentences:
    whether they did better with the goal code zeroed or with random units silenced, and how
    many agents' curves had levelled off."""
    table = medians(results, "goals_per_episode", (PRIMARY, GOAL_CODE_OFF), [GRID, PLACE])
    parts, raised, tested = [], 0, 0
    for variant, name in ((GRID, "grid"), (PLACE, "place")):
        more, n = goal_code_effect(results, variant)
        if n:
            on, off = table.loc[variant, PRIMARY], table.loc[variant, GOAL_CODE_OFF]
            unit = "" if parts else " goals per episode without it"
            with_it = "" if parts else " with it"
            parts.append(f"{name} agents: {_goals(off)}{unit} against {_goals(on)}{with_it}")
            raised, tested = raised + more, tested + n
    sentences = []
    if tested:
        numbers = f"(medians over seeds, {'; '.join(parts)})"
        if raised == tested:
            sentences.append(
                f"Every grid and place agent reached more goals with its goal code zeroed {numbers}"
            )
        else:
            sentences.append(
                f"With the goal code zeroed, {raised} of the {tested} grid and place agents"
                f" reached more goals {numbers}"
            )
        lesions = lesion_table(results)
        if "random" in lesions and len(lesions) > 1:
            share = int(lesions.index.max())
            intact, hit = lesions.loc[0, "random"], lesions.loc[share, "random"]
            if hit > intact:
                sentences[-1] += (
                    f", and silencing {share} % of the grid agents' units at random raised their"
                    f" median from {_goals(intact)} to {_goals(hit)} goals"
                )
        if raised == tested:
            sentences[-1] += (
                ": these agents do not use the goal code, so this experiment does not yet test"
                " vector-based navigation."
            )
        else:
            sentences[-1] += ": not every agent relies on the goal code."
    flat, n_agents = plateau_counts(results)
    if flat == n_agents:
        sentences.append(f"All {n_agents} agents' learning curves had levelled off.")
    else:
        sentences.append(
            f"Only {flat} of the {n_agents} agents' learning curves had levelled off when"
            f" training stopped; the other {n_agents - flat} were still changing."
        )
    return " ".join(sentences)


def finding_point(results: pd.DataFrame) -> str:
    """The chapter's finding as one short key point: whether the grid and place agents use their
    goal code, judged by how many seeds reached more goals with it zeroed."""
    raised = tested = 0
    for variant in (GRID, PLACE):
        more, n = goal_code_effect(results, variant)
        raised, tested = raised + more, tested + n
    if not tested:
        return "No agent here was tested without its goal code."
    if raised == tested:
        return (
            "The agents here reached more goals with their goal code zeroed, so they do not use"
            " it: this experiment does not yet test vector-based navigation."
        )
    if raised == 0:
        return "Every agent here reached fewer goals with its goal code zeroed: they use it."
    return (
        f"{raised} of the {tested} agents here reached more goals with their goal code zeroed:"
        " not every agent relies on it."
    )


def lesion_table(results: pd.DataFrame, variant: str = GRID) -> pd.DataFrame:
    """Median goals per held-out episode over seeds of ``variant`` with a share of its units
    silenced: the most grid-like ones or as many at random (columns), per share (rows; 0: the
    intact agents)."""
    rows = results[(results.variant == variant)]
    lesioned = rows[rows.condition.str.startswith("lesion ")]
    parts = lesioned.condition.str.extract(r"lesion (\w+) (\d+)%")
    lesioned = lesioned.assign(kind=parts[0], share=parts[1].astype(int))
    out = lesioned.pivot_table(
        index="share", columns="kind", values="goals_per_episode", aggfunc="median"
    )
    intact = rows.loc[rows.condition == PRIMARY, "goals_per_episode"].median()
    out.loc[0] = intact
    out = out.sort_index()
    out.index.name, out.columns.name = "units silenced (%)", None
    return out.rename(columns={"grid": "most grid-like", "random": "random"})


def _lesion_effect(changes: pd.Series) -> str:
    """How silencing moved the median goals per episode (``changes``: lesioned minus intact,
    per share), in words: lowered, unchanged or raised, and by how much."""
    n = len(changes)
    down, up = changes[changes.round(2) < 0], changes[changes.round(2) > 0]
    if down.empty and up.empty:
        return "left the median unchanged at every share"
    if up.empty:
        where = "" if len(down) == n else f" at {len(down)} of the {n} shares"
        return f"lowered the median{where}, by at most {_goals(-down.min())} goals"
    if down.empty:
        where = "" if len(up) == n else f" at {len(up)} of the {n} shares"
        return f"raised the median{where}, by up to {_goals(up.max())} goals"
    return (
        f"lowered the median at {len(down)} of the {n} shares (by at most {_goals(-down.min())}"
        f" goals) and raised it at {len(up)} (by up to {_goals(up.max())})"
    )


def lesion_sentence(results: pd.DataFrame, variant: str = GRID) -> str:
    """What silencing the most grid-like units, and as many random ones, did to the median goals
    per held-out episode, against the intact agents."""
    full = lesion_table(results, variant)
    table = full.drop(index=0)
    if table.empty:
        return "No lesioned agent was tested."
    intact = float(full.loc[0, "random"])
    shares = ", ".join(f"{s} %" for s in table.index)
    grid = _lesion_effect(table["most grid-like"] - intact)
    random = _lesion_effect(table["random"] - intact)
    return (
        f"Intact, these agents reached a median of {_goals(intact)} goals per episode."
        f" Silencing the most grid-like units ({shares} of them) {grid}; silencing as many"
        f" random units {random}."
    )


ARENA_NAMES = {"box": "open box", "goal-doors": "rooms arena"}


def preflight_success(preflight: pd.DataFrame, arena: str) -> float:
    """The share of the scripted agent's return trips that succeeded in ``arena`` reading the
    code, in the episodes agents train on (no correction after a move): what gates training."""
    rows = preflight[
        (preflight.arena == arena)
        & (preflight.reads == "code")
        & ~preflight.anchor_on_move.astype(bool)
    ]
    return float(rows.success.iloc[0])


def preflight_passes(preflight: pd.DataFrame, arena: str) -> bool:
    """Whether the code carries the scripted agent back often enough to train agents there."""
    return preflight_success(preflight, arena) >= PREFLIGHT_TARGET


def preflight_table(preflight: pd.DataFrame) -> pd.DataFrame:
    """The scripted agent's return trips, one row per arena, what it reads and whether the
    network was shown the true code on the step after each move."""
    out = pd.DataFrame(
        {
            "arena": preflight.arena.map(lambda a: ARENA_NAMES.get(a, a)),
            "reads": preflight.reads.map({"code": "the network's code", "truth": "true position"}),
            "corrected after a move": preflight.anchor_on_move.map({True: "yes", False: "no"}),
            "return trips": preflight.trips.astype(int),
            "succeeded (%)": (100 * preflight.success).round(1),
            "median steps": preflight.median_steps,
            "steps until the code is back (median)": preflight.median_recovered_after,
        }
    )
    return out.set_index(["arena", "reads", "corrected after a move"])


def preflight_sentence(preflight: pd.DataFrame, arena: str) -> str:
    """Whether ``arena`` passes the pre-flight, in one sentence."""
    share = preflight_success(preflight, arena)
    name = ARENA_NAMES.get(arena, arena)
    need = f"{100 * PREFLIGHT_TARGET:.0f} %"
    if share >= PREFLIGHT_TARGET:
        return (
            f"In the {name}, reading the code, the scripted agent got back on"
            f" {100 * share:.1f} % of its return trips, {need} or more, so the code can carry"
            f" an agent there: agents were trained there."
        )
    return (
        f"In the {name}, reading the code, the scripted agent got back on only"
        f" {100 * share:.1f} % of its return trips, under {need}: the code itself would cap"
        f" an agent there, so no agents were trained there."
    )
