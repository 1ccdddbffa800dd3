"""What the reinforcement-learning agents did, read from their shipped tables.

``experiments/rl_navigation.py`` trains a PPO agent for every network, observation variant
(:data:`VARIANTS`) and seed, and writes two tables into its folder (``experiments/rl-navigation``):
``navigation.csv``, one row per agent, test condition and policy (success rate, median path over
the shortest, door-first and gap-first rates in the two-room arena), and ``learning_curves.csv``,
each agent's training success per block of episodes. This module turns them into the chapter's
tables and its answer; it needs pandas, never stable-baselines3, so the book reads the results
without the ``rl`` extra.

Every figure is over seeds: a median with the range (smallest to largest seed), every seed kept
in the long tables the plots draw. Grid codes "beat" place codes in a condition only when the
worst grid seed does better than the best place seed; with three seeds per variant that is the
strictest rank test there is, and anything less is reported as overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.errors import GridcoreError
from gridcore.formatting import MISSING
from gridcore.navigation.env import VARIANTS

BASELINES = ("random actions", "random walk")  # policies tested on each agent's own episodes
AGENT = "agent"  # the trained policy acting on its mean
CONDITIONS = ("training goals", "held-out goals")  # in the box; the arena's is "shortcut"
BOX, ARENA = "box", "two-rooms"
MIN_SEEDS = 3  # seeds a side before two variants are ranked
# Not a sweep's results.csv and curves.csv: these tables have their own columns, and sweep
# readers (gridcore.sweeps.load_all, gridcore.shipped.sweeps) take every results.csv they find.
RESULTS_FILE, CURVES_FILE, SPEC_FILE = "navigation.csv", "learning_curves.csv", "spec.yaml"
RESULT_COLUMNS = ("network", "variant", "seed", "training", "condition", "lesion", "k", "policy")
RESULT_COLUMNS += ("success_rate", "path_ratio", "episodes_to_50", "env_steps_to_50")
CURVE_COLUMNS = ("network", "variant", "seed", "training", "episode", "env_steps", "success_rate")


@dataclass(frozen=True)
class AgentTables:
    """An RL navigation experiment's tables: ``results`` (navigation.csv), ``curves``
    (learning_curves.csv) and its ``spec`` (spec.yaml: networks, steps, seeds, settings)."""

    results: pd.DataFrame
    curves: pd.DataFrame
    spec: dict

    @property
    def networks(self) -> list[str]:
        """The networks with at least one agent, in the spec's order."""
        have = set(self.results["network"])
        return [n for n in self.spec.get("networks", {}) if n in have]

    def networks_in(self, training: str) -> list[str]:
        """The networks with agents trained in ``training`` (:data:`BOX` or :data:`ARENA`)."""
        return [n for n in self.networks if len(self.agents(n, training))]

    @property
    def steps(self) -> int:
        """Environment steps each agent trained for."""
        return int(self.spec["steps"])

    def agents(self, network: str, training: str = BOX) -> pd.DataFrame:
        """One row per agent (variant, seed) of ``network`` trained in ``training``."""
        rows = self.results[(self.results.network == network) & (self.results.training == training)]
        return rows.drop_duplicates(["variant", "seed"])[["variant", "seed"]].reset_index(drop=True)


def load_agent_tables(directory: str | Path) -> AgentTables:
    """The tables in ``directory`` (``experiments/rl-navigation``); one clear error if they are
    missing or lack a column the chapter reads."""
    directory = Path(directory)
    paths = {name: directory / name for name in (RESULTS_FILE, CURVES_FILE, SPEC_FILE)}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise GridcoreError(
            f"no RL navigation tables: {', '.join(missing)} missing "
            "(python experiments/rl_navigation.py writes them)"
        )
    results, curves = pd.read_csv(paths[RESULTS_FILE]), pd.read_csv(paths[CURVES_FILE])
    for name, frame, needed in (
        (RESULTS_FILE, results, RESULT_COLUMNS),
        (CURVES_FILE, curves, CURVE_COLUMNS),
    ):
        lacking = [c for c in needed if c not in frame.columns]
        if lacking:
            raise GridcoreError(f"{directory / name} lacks the columns {', '.join(lacking)}")
    for column in ("door_first_rate", "gap_first_rate"):
        if column not in results.columns:
            results[column] = np.nan
    import yaml  # the book and sweeps extras

    spec = yaml.safe_load(paths[SPEC_FILE].read_text()) or {}
    return AgentTables(results, curves, spec)


def _ordered(variants) -> list[str]:
    return [v for v in (*VARIANTS, *BASELINES) if v in set(variants)]


def by_seed(
    t: AgentTables, network: str, condition: str, training: str = BOX, measure: str = "success_rate"
) -> pd.DataFrame:
    """``measure`` of every intact agent in ``condition`` (long: variant, seed, value), with the
    baselines as variants of their own: their score on the same seed's episodes, the median over
    the agents that met them."""
    r = t.results
    rows = r[
        (r.network == network)
        & (r.training == training)
        & (r.condition == condition)
        & (r.lesion == "none")
    ]
    agent = rows[rows.policy == AGENT][["variant", "seed", measure]]
    base = rows[rows.policy.isin(BASELINES)].groupby(["policy", "seed"], as_index=False)[measure]
    base = base.median().rename(columns={"policy": "variant"})
    out = pd.concat([agent, base], ignore_index=True).rename(columns={measure: "value"})
    out["variant"] = pd.Categorical(out["variant"], _ordered(out["variant"]), ordered=True)
    return out.sort_values(["variant", "seed"]).reset_index(drop=True)


def spread(long: pd.DataFrame) -> pd.DataFrame:
    """Median, smallest and largest value over seeds, and the number of seeds, per variant."""
    g = long.groupby("variant", observed=True)["value"]
    return pd.DataFrame(
        {"median": g.median(), "min": g.min(), "max": g.max(), "seeds": g.count()}
    ).rename_axis("variant")


def _percent_of(values: np.ndarray) -> str:
    """Values over seeds as :func:`_percent_range` writes a row of :func:`spread`."""
    v = np.asarray(values, dtype=float)
    if not len(v):
        return MISSING
    return _percent_range(
        pd.Series({"median": np.median(v), "min": v.min(), "max": v.max(), "seeds": len(v)})
    )


def _percent_range(row: pd.Series) -> str:
    if not np.isfinite(row["median"]):
        return MISSING
    if row["seeds"] < 2:
        return f"{100 * row['median']:.0f} % (1 seed)"
    return f"{100 * row['median']:.0f} % ({100 * row['min']:.0f}–{100 * row['max']:.0f})"


def success_table(t: AgentTables, network: str, training: str = BOX) -> pd.DataFrame:
    """Per variant (rows), the number of seeds and, in each test condition, the success rate as
    "median % (range over seeds)" and the path walked over the shortest (median over seeds of
    each agent's median over its successful episodes); the random baselines last. For reading:
    columns (condition, measure)."""
    conditions = CONDITIONS if training == BOX else ("shortcut",)
    columns, seeds = {}, None
    for condition in conditions:
        s = spread(by_seed(t, network, condition, training))
        seeds = s["seeds"] if seeds is None else seeds
        columns[(condition, "success")] = s.apply(_percent_range, axis=1)
        ratio = spread(by_seed(t, network, condition, training, "path_ratio"))["median"]
        columns[(condition, "path / shortest")] = ratio.map(_ratio)
    table = pd.DataFrame(columns)
    table.insert(0, ("", "seeds"), seeds.astype(int))
    return table


def _ratio(value: float) -> str:
    return f"{value:.2f}" if np.isfinite(value) else MISSING


def learning_curves(
    t: AgentTables, network: str, training: str = BOX, points: int = 30
) -> pd.DataFrame:
    """Each agent's training success on a common axis of environment steps (long: variant, seed,
    env_steps, success_rate): its blocks of episodes, interpolated; NaN before its first block."""
    c = t.curves[(t.curves.network == network) & (t.curves.training == training)]
    grid = np.linspace(0, t.steps, points + 1)[1:]
    parts = []
    for (variant, seed), agent in c.groupby(["variant", "seed"], sort=False):
        x, y = agent["env_steps"].to_numpy(float), agent["success_rate"].to_numpy(float)
        values = np.interp(grid, x, y, left=np.nan)
        parts.append(
            pd.DataFrame(
                {"variant": variant, "seed": seed, "env_steps": grid, "success_rate": values}
            )
        )
    if not parts:
        raise GridcoreError(f"no learning curves for {network} in {training}")
    out = pd.concat(parts, ignore_index=True)
    out["variant"] = pd.Categorical(out["variant"], _ordered(out["variant"]), ordered=True)
    return out.sort_values(["variant", "seed", "env_steps"]).reset_index(drop=True)


def steps_to_half(t: AgentTables, network: str, training: str = BOX) -> pd.DataFrame:
    """Per variant: how many seeds' training success (over 100 episodes) reached 50 %, and the
    median environment steps and episodes they took (over the seeds that did)."""
    r = t.results
    rows = r[(r.network == network) & (r.training == training) & (r.policy == AGENT)]
    agents = rows.drop_duplicates(["variant", "seed"])
    out = {}
    for variant in _ordered(agents["variant"]):
        a = agents[agents.variant == variant]
        reached = a["env_steps_to_50"].notna()
        out[variant] = {
            "seeds reaching 50 %": f"{int(reached.sum())} of {len(a)}",
            "env steps (median)": _count(a.loc[reached, "env_steps_to_50"].median()),
            "episodes (median)": _count(a.loc[reached, "episodes_to_50"].median()),
        }
    return pd.DataFrame.from_dict(out, orient="index").rename_axis("variant")


def _count(value: float) -> str:
    """A count for reading, ``27 619``; :data:`MISSING` where there is none."""
    return f"{value:,.0f}".replace(",", " ") if np.isfinite(value) else MISSING


def lesions(t: AgentTables, network: str) -> pd.DataFrame:
    """Success on the training goals with k units silenced, per agent (long: variant, seed,
    lesion, k, success_rate); the intact agent appears as k = 0 under both lesions."""
    r = t.results
    rows = r[
        (r.network == network)
        & (r.training == BOX)
        & (r.policy == AGENT)
        & (r.condition.isin(["lesion", "training goals"]))
    ]
    lesioned = rows[rows.condition == "lesion"]
    intact = rows[(rows.condition == "training goals") & rows.variant.isin(lesioned.variant)]
    both = [intact.assign(lesion=kind, k=0) for kind in sorted(lesioned["lesion"].unique())]
    out = pd.concat([*both, lesioned], ignore_index=True)
    return out[["variant", "seed", "lesion", "k", "success_rate"]].sort_values(
        ["variant", "lesion", "k", "seed"], ignore_index=True
    )


def lesion_table(t: AgentTables, network: str) -> pd.DataFrame:
    """Median success over seeds per variant (rows) and lesion (columns "grid, k=40" ...)."""
    long = lesions(t, network)
    med = long.groupby(["variant", "lesion", "k"])["success_rate"].median().reset_index()
    med["column"] = [
        f"{kind}, k={k}" if k else "intact" for kind, k in zip(med.lesion, med.k, strict=True)
    ]
    table = med.pivot_table(index="variant", columns="column", values="success_rate", sort=False)
    order = ["intact"] + sorted((c for c in table.columns if c != "intact"), key=_lesion_order)
    table = table[order].rename_axis(columns=None)
    return table.loc[_ordered(table.index)].map(lambda v: f"{100 * v:.0f} %")


def lesion_answer(t: AgentTables, network: str, variant: str = "bottleneck") -> str:
    """Whether silencing the top-k grid units hurts ``variant``'s agents more than silencing k
    random units, in one sentence: the k at which every seed's grid lesion leaves less success
    than every seed's random lesion (with the figures), and the k at which the seeds overlap.

    The random units are drawn from the whole bottleneck, so the fair test is an agent that reads
    all of it (``bottleneck``, the paper's); an agent that reads only the grid units loses more
    of its own inputs to a grid lesion than to a random one by construction."""
    long = lesions(t, network)
    long = long[(long.variant == variant) & (long.k > 0)]
    if long.empty:
        return f"**{network}**: no lesioned {variant} agents yet."
    ranked: dict[str, list[str]] = {"beats": [], "falls below": [], "overlaps": [], "few": []}
    for k, part in long.groupby("k"):
        grid, random = (
            part.loc[part.lesion == kind, "success_rate"].dropna().to_numpy(float)
            for kind in ("grid", "random")
        )
        # "beats": every random-lesion seed above every grid-lesion seed
        c = Comparison(f"k = {k}", "random", "grid", random, grid)
        outcome = c.outcome if c.outcome in ranked else "few"
        ranked[outcome].append(f"k = {k}" if outcome == "overlaps" else f"k = {k} ({_pair(c)})")
    parts = []
    if ranked["beats"]:
        parts.append(
            f"silencing the top-k grid units hurts the {variant} agents more than silencing k "
            f"random units at {_and(ranked['beats'])}"
        )
    if ranked["falls below"]:
        parts.append(f"silencing k random units hurts more at {_and(ranked['falls below'])}")
    if ranked["overlaps"]:
        lead = "the seeds overlap at" if parts else "the seeds of the two lesions overlap at"
        parts.append(f"{lead} {_and(ranked['overlaps'])}")
    if ranked["few"]:
        parts.append(f"too few seeds to rank at {_and(ranked['few'])}")
    return f"**{network}**, {variant} agents: {'; '.join(parts)}."


def _pair(c: Comparison) -> str:
    """ "grid 38 % (34–43) against random 46 % (44–50)", lesion by lesion."""
    return f"grid {_percent_of(c.b_values)} against random {_percent_of(c.a_values)}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _lesion_order(column: str) -> tuple[str, int]:
    kind, k = column.split(", k=")
    return kind, int(k)


def shortcut_table(t: AgentTables, network: str) -> pd.DataFrame:
    """The two-room arena, door open at test: per variant the median over seeds of the success
    rate, of the share of episodes whose path went first through the new door and of those that
    went round by the gap, and of the path over the shortest (successful episodes)."""
    measures = {
        "success": "success_rate",
        "door first": "door_first_rate",
        "gap first": "gap_first_rate",
    }
    cols = {}
    for label, measure in measures.items():
        s = spread(by_seed(t, network, "shortcut", ARENA, measure))
        cols[label] = s.apply(_percent_range, axis=1)
    ratio = spread(by_seed(t, network, "shortcut", ARENA, "path_ratio"))["median"]
    cols["path / shortest"] = ratio.map(_ratio)
    return pd.DataFrame(cols)


@dataclass(frozen=True)
class Comparison:
    """Two variants' values over seeds in one condition, and how they rank."""

    condition: str
    a: str
    b: str
    a_values: np.ndarray
    b_values: np.ndarray

    @property
    def outcome(self) -> str:
        """ "beats" when every seed of ``a`` does better than every seed of ``b``, "falls below"
        the other way round, "overlaps" otherwise; "missing" without values, "too few seeds"
        with fewer than :data:`MIN_SEEDS` on a side (one seed above one seed ranks nothing)."""
        if not len(self.a_values) or not len(self.b_values):
            return "missing"
        if min(len(self.a_values), len(self.b_values)) < MIN_SEEDS:
            return "too few seeds"
        if self.a_values.min() > self.b_values.max():
            return "beats"
        if self.a_values.max() < self.b_values.min():
            return "falls below"
        return "overlaps"

    def phrase(self) -> str:
        """ "on held-out goals grid 23 % (18–30) against place 27 % (21–33)"."""
        a, b = _percent_of(self.a_values), _percent_of(self.b_values)
        return f"{_where([self.condition])} {self.a} {a} against {self.b} {b}"


def compare(
    t: AgentTables,
    network: str,
    condition: str,
    a: str = "grid",
    b: str = "place",
    measure: str = "success_rate",
) -> Comparison:
    """Variants ``a`` and ``b`` of ``network`` (intact agents) in ``condition``: their
    ``measure`` (a rate: ``success_rate``, or in the arena ``door_first_rate``) over seeds."""
    training = ARENA if condition == "shortcut" else BOX
    long = by_seed(t, network, condition, training, measure)

    def values(v: str) -> np.ndarray:
        return long.loc[long.variant == v, "value"].dropna().to_numpy(float)

    return Comparison(condition, a, b, values(a), values(b))


def ranking(
    t: AgentTables,
    network: str,
    a: str,
    b: str,
    a_label: str,
    b_label: str,
    conditions: tuple[str, ...] = (*CONDITIONS, "shortcut"),
    measure: str = "success_rate",
) -> str:
    """Variants ``a`` and ``b`` of ``network`` in every test of ``conditions`` where both ran,
    in words: which beats the other where (every seed of one above every seed of the other) on
    ``measure``, with the figures of the tests it names (those that overlap are in the tables);
    ``a_label`` and ``b_label`` name their codes (plural: "grid codes"). Empty if none ran."""
    found = [compare(t, network, c, a, b, measure) for c in conditions]
    found = [c for c in found if c.outcome != "missing"]
    if not found:
        return ""
    won = [c.condition for c in found if c.outcome == "beats"]
    lost = [c.condition for c in found if c.outcome == "falls below"]
    if won and not lost:
        head = f"{a_label} beat {b_label} {_where(won)}"
    elif lost and not won:
        head = f"{b_label} beat {a_label} {_where(lost)}"
    elif won and lost:
        head = f"{a_label} beat {b_label} {_where(won)} and lose {_where(lost)}"
    elif any(c.outcome == "overlaps" for c in found):
        head = f"{a_label} do not beat {b_label} anywhere: every comparison overlaps over seeds"
    else:
        head = f"{a_label} and {b_label} cannot be ranked yet: fewer than {MIN_SEEDS} seeds a side"
    pending = [c.condition for c in found if c.outcome == "too few seeds"]
    if pending and len(pending) < len(found):
        head += f", and {_where(pending)} too few seeds to rank"
    named = [c.phrase() for c in found if c.outcome != "overlaps"]
    return f"{head} ({'; '.join(named)})" if named else head


def grid_against_place(t: AgentTables, network: str) -> str:
    """The chapter's answer for one network, in one sentence: whether grid codes beat place
    codes, and where (training goals, held-out goals, the shortcut test when it ran)."""
    text = ranking(t, network, "grid", "place", "grid codes", "place codes")
    return f"**{network}**: {text or 'no grid and place agents to compare yet'}."


def answer(t: AgentTables, network: str) -> str:
    """:func:`grid_against_place`, then three controls: whether grid agents given the goal's code
    beat the same units without it (do they use the goal at all, or only learn where goals tend
    to be?), whether the trained network's bottleneck beats an untrained network's (did training
    the network help?), and whether grid agents take the new door first more often than
    untrained ones (does the shortcut need a trained code?)."""
    sentences = [grid_against_place(t, network)]
    goal = ranking(
        t, network, "grid", "grid-no-goal", "grid agents given the goal's code",
        "grid agents without it",
    )  # fmt: skip
    trained = ranking(t, network, "bottleneck", "untrained", "trained codes", "untrained codes")
    door = ranking(
        t, network, "grid", "untrained", "grid codes", "untrained codes", ("shortcut",),
        "door_first_rate",
    )  # fmt: skip
    if door:
        door = f"for taking the new door first, {door}"
    sentences += [f"{text[0].upper()}{text[1:]}." for text in (goal, trained, door) if text]
    return " ".join(sentences)


# The tests of grid against place codes: (condition, measure, its name in a tally).
TESTS = (
    ("training goals", "success_rate", "training goals"),
    ("held-out goals", "success_rate", "held-out goals"),
    ("shortcut", "success_rate", "shortcut success"),
    ("shortcut", "door_first_rate", "new door first"),
)


def outcomes(t: AgentTables, network: str, a: str = "grid", b: str = "place") -> dict[str, str]:
    """How ``a`` ranks against ``b`` on ``network`` in each of :data:`TESTS` ({test name:
    :attr:`Comparison.outcome`})."""
    return {name: compare(t, network, cond, a, b, measure).outcome for cond, measure, name in TESTS}


def verdict(t: AgentTables, network: str) -> str:
    """The paper's claim against ``network``'s agents: "reproduced" when grid codes beat place
    codes on held-out goals and more grid agents' paths take the new door first, "partly" when
    grid codes beat place codes in some test, "not reproduced" otherwise."""
    won = {name for name, outcome in outcomes(t, network).items() if outcome == "beats"}
    if {"held-out goals", "new door first"} <= won:
        return "reproduced"
    return "partly" if won else "not reproduced"


def tally(t: AgentTables, a: str = "grid", b: str = "place") -> pd.DataFrame:
    """Every test of ``a`` against ``b`` on every network (:data:`TESTS`), one row each:
    network, test, outcome (as :attr:`Comparison.outcome`). Reading one network alone hides how
    many comparisons were made: with three seeds a side a rank win has a chance of 1 in 20 when
    the two codes do equally well, so among a dozen tests one is likely."""
    rows = [
        {"network": net, "test": name, "outcome": outcome}
        for net in t.networks
        for name, outcome in outcomes(t, net, a, b).items()
    ]
    return pd.DataFrame(rows, columns=["network", "test", "outcome"])


def tally_matrix(tally_table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`tally` as a table: a row per network, a column per test, the outcome in each."""
    wide = tally_table.pivot(index="network", columns="test", values="outcome")
    nets = list(dict.fromkeys(tally_table.network))
    tests = [name for *_, name in TESTS if name in wide.columns]
    return wide.loc[nets, tests].rename_axis(columns=None)


def tally_phrase(tally_table: pd.DataFrame, a: str = "grid", b: str = "place") -> str:
    """A :func:`tally` in words: "over 3 networks grid codes beat place codes in 1 of 12 ranked
    tests (grid-lstm-modules: shortcut success) and fall below in 0"."""
    ranked = tally_table[tally_table.outcome.isin(["beats", "falls below", "overlaps"])]

    def where(outcome: str) -> tuple[int, str]:
        rows = ranked[ranked.outcome == outcome]
        named = "; ".join(f"{r.network}: {r.test}" for r in rows.itertuples())
        return len(rows), f" ({named})" if named else ""

    (won, won_where), (lost, lost_where) = where("beats"), where("falls below")
    nets = tally_table.network.nunique()
    return (
        f"over {nets} network{'s' * (nets != 1)} {a} codes beat {b} codes in {won} of "
        f"{len(ranked)} ranked tests{won_where} and fall below in {lost}{lost_where}"
    )


def _where(conditions: list[str]) -> str:
    words = ["in the shortcut test" if c == "shortcut" else f"on {c}" for c in conditions]
    return " and ".join(words)
