"""Statistics over the seeds of a sweep: the spread of a metric, and how soon a level is reached;
across sweeps, how position error goes with the grid-unit fraction.

Every figure is read at a fixed step: the spec's last step for ``results.csv``, the fixed scoring
steps for ``curves.csv``; never at the step that looked best for one seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from gridcore.errors import GridcoreError
from gridcore.formatting import count, percent
from gridcore.paper import GRID_FRACTION
from gridcore.sweeps.names import plain_name


def finished(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of a sweep's table whose trials finished (status ``done``); a table without a
    status column holds finished trials only."""
    return df[df["status"] == "done"] if "status" in df.columns else df


def select_conditions(df: pd.DataFrame, cases: list, by: str = "condition") -> pd.DataFrame:
    """Every row (seed) of the conditions ``cases`` of a sweep's table, in the order given; a
    GridcoreError naming the table's conditions when one of them is missing."""
    missing = [c for c in cases if c not in set(df[by])]
    if missing:
        known = ", ".join(map(str, dict.fromkeys(df[by])))
        raise GridcoreError(f"no condition {missing[0]!r} in the table; it has: {known}")
    return pd.concat([df[df[by] == c] for c in cases])


def seed_median(seeds: pd.DataFrame, column: str) -> float:
    """The median of ``column`` over the rows of ``seeds`` that have a finite value; NaN where
    none has (or the column is missing)."""
    if column not in seeds:
        return float("nan")
    values = seeds[column].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(np.median(values)) if values.size else float("nan")


def spread(
    df: pd.DataFrame, metric: str = "grid_fraction_037", by: str = "condition", level: float = 0.25
) -> pd.DataFrame:
    """Per condition: seeds finished, median, quartiles, min and max of ``metric`` over seeds, and
    the share of seeds with ``metric`` >= ``level`` (a fraction of units, e.g. 0.25)."""
    if metric not in df.columns or by not in df.columns:
        raise GridcoreError(f"no column {metric!r} or {by!r}; the table has: {', '.join(df)}")
    rows = []
    for cond, group in finished(df).groupby(by, sort=False):
        v = group[metric].to_numpy(dtype=float)
        v = v[np.isfinite(v)]
        rows.append(
            {
                by: cond,
                "seeds": int(v.size),
                "median": float(np.median(v)) if v.size else np.nan,
                "q25": float(np.quantile(v, 0.25)) if v.size else np.nan,
                "q75": float(np.quantile(v, 0.75)) if v.size else np.nan,
                "min": float(v.min()) if v.size else np.nan,
                "max": float(v.max()) if v.size else np.nan,
                f"share >= {level:g}": float((v >= level).mean()) if v.size else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index(by)


def time_to_level(
    curves: pd.DataFrame, level: float = 0.25, metric: str = "grid_fraction_037"
) -> pd.DataFrame:
    """Per trial: the first training scoring whose ``metric`` reaches ``level``, its step and the
    training wall time to it (s); NaN where no scoring reached it."""
    training = curves[curves["source"] == "training"]
    value = training[training["metric"] == metric]
    keys = ["trial", "condition", "seed", "step"]
    elapsed = training[training["metric"] == "elapsed_s"].set_index(keys)["value"]
    rows = []
    for (trial, cond, seed), group in value.groupby(["trial", "condition", "seed"], sort=False):
        hit = group[group["value"] >= level].sort_values("step")
        step = float(hit["step"].iloc[0]) if len(hit) else np.nan
        wall = float(elapsed.get((trial, cond, seed, int(step)), np.nan)) if len(hit) else np.nan
        rows.append({"trial": trial, "condition": cond, "seed": seed, "step": step, "wall_s": wall})
    return pd.DataFrame(rows, columns=["trial", "condition", "seed", "step", "wall_s"])


def headline(
    results: pd.DataFrame, curves: pd.DataFrame, level: float = 0.25, by: str = "condition"
) -> pd.DataFrame:
    """The headline of a seeds sweep, per condition (numbers, fractions of units).

    Columns: ``seeds``; the fraction > 0.37 (DeepMind's scorer) at the last step as
    ``median_037``, ``q25_037``, ``q75_037``, ``min_037``, ``max_037``; the fraction > 0.8 as
    ``median_080``, ``min_080``, ``max_080``; ``share_last`` (seeds >= ``level`` at the last
    step), ``share_ever`` (seeds >= ``level`` at any training scoring); ``median_step`` and
    ``median_wall_s`` to ``level`` over the seeds that reached it.
    """
    s37 = spread(results, "grid_fraction_037", by, level)
    s80 = spread(results, "grid_fraction_080", by, level)
    times = time_to_level(curves, level)
    rows = []
    for cond in s37.index:
        t = times[times["condition"] == cond]
        reached = t["step"].notna()
        rows.append(
            {
                by: cond,
                "seeds": int(s37.loc[cond, "seeds"]),
                **{f"{k}_037": s37.loc[cond, k] for k in ("median", "q25", "q75", "min", "max")},
                **{f"{k}_080": s80.loc[cond, k] for k in ("median", "min", "max")},
                "share_last": s37.loc[cond, f"share >= {level:g}"],
                "share_ever": float(reached.mean()) if len(t) else np.nan,
                "median_step": float(t.loc[reached, "step"].median()) if reached.any() else np.nan,
                "median_wall_s": float(t.loc[reached, "wall_s"].median())
                if reached.any()
                else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index(by)


def _range(low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "–"
    return f"{100 * low:.1f}–{100 * high:.1f} %"


def _of(share: float, n: int) -> str:
    return "–" if not np.isfinite(share) else f"{round(share * n)} of {n}"


def headline_sentence(
    summary: pd.DataFrame, condition, level: float = 0.25, paper: float = GRID_FRACTION
) -> str:
    """One row of :func:`headline` in a sentence: over how many seeds ``condition`` ends with
    what median share of grid-like units (> 0.37, DeepMind's scorer) and range, on which side
    of the paper's ``paper``, and how many seeds are at or above ``level`` at the last step,
    with those that reached it only at some scoring on the way."""
    r = summary.loc[condition]
    n = int(r["seeds"])
    name = f"`{condition}`"
    if n == 0 or not np.isfinite(r["median_037"]):
        return f"{name} has no finished seed."
    at = f"{100 * level:g} %"
    med = r["median_037"]
    side = "above" if med > paper else "below" if med < paper else "level with"
    last = round(r["share_last"] * n)
    if n == 1:
        text = (
            f"The only seed of {name} ends with {percent(med)} grid-like units, {side} the "
            f"paper's {percent(paper)}, {'at or above' if last else 'below'} {at}"
        )
    else:
        text = (
            f"Over {count(n, 'seed')}, {name} ends with a median of {percent(med)} grid-like "
            f"units ({_range(r['min_037'], r['max_037'])}), {side} the paper's "
            f"{percent(paper)}; {last} of {n} seeds are at or above {at} at the last step"
        )
    ever = r["share_ever"]
    if np.isfinite(ever) and round(ever * n) > last:
        reached = round(ever * n)
        text += (
            f" ({reached} {'reaches' if reached == 1 else 'reach'} it at some scoring on the way)"
        )
    return text + "."


def headline_table(summary: pd.DataFrame, level: float = 0.25) -> pd.DataFrame:
    """:func:`headline` formatted for reading: one column per condition, then Banino et al.'s
    (its 25.2 %); one short row per quantity, percentages of units with one decimal and
    counts of seeds, so that the table fits a page's text column."""
    at = f"{100 * level:g} %"
    labels = (
        "seeds",
        "> 0.37: median",
        "> 0.37: quartiles",
        "> 0.37: range",
        "> 0.8: median",
        "> 0.8: range",
        f"seeds ≥ {at}: last step",
        f"seeds ≥ {at}: any scoring",
        f"median step to {at}",
        f"median time to {at}",
    )
    columns = {}
    for cond, r in summary.iterrows():
        n = int(r["seeds"])
        columns[cond] = [
            f"{n}",
            percent(r["median_037"]),
            _range(r["q25_037"], r["q75_037"]),
            _range(r["min_037"], r["max_037"]),
            percent(r["median_080"]),
            _range(r["min_080"], r["max_080"]),
            _of(r["share_last"], n),
            _of(r["share_ever"], n),
            "–" if not np.isfinite(r["median_step"]) else f"{r['median_step']:,.0f}",
            "–" if not np.isfinite(r["median_wall_s"]) else f"{r['median_wall_s'] / 60:.1f} min",
        ]
    columns["Banino et al."] = ["–", percent(GRID_FRACTION)] + ["–"] * (len(labels) - 2)
    table = pd.DataFrame(columns, index=pd.Index(labels))
    table.columns.name = summary.index.name
    return table


# --------------------------------------------------------------------------------------------
# Across sweeps: does path integration go with grid units? Does a condition change a metric?


def error_vs_grid(
    df: pd.DataFrame,
    error: str = "position_error_cm",
    grid: str = "grid_fraction_037",
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, float]:
    """Spearman's rank correlation of ``error`` (cm) with ``grid`` (a fraction of units) over
    the finished trials of ``df``, with a bootstrap interval.

    Trials are resampled with replacement, ``n_resamples`` times (the pair of a trial's two
    numbers stays together); the interval is the percentile interval at ``confidence`` of the
    resamples' rho (Spearman's rho is Pearson's r of the ranks; resamples in which a column is
    constant, and so rho undefined, are left out).
    Returns ``n`` (trials), ``rho``, ``p`` (the test of rho = 0) and ``low`` / ``high``; NaN
    where fewer than three trials are usable. A negative rho: more grid units, smaller error.
    """
    for column in (error, grid):
        if column not in df.columns:
            raise GridcoreError(f"no column {column!r}; the table has: {', '.join(df)}")
    data = finished(df)[[error, grid]].astype(float).dropna()
    n = len(data)
    out = {"n": n, "rho": np.nan, "p": np.nan, "low": np.nan, "high": np.nan}
    if n < 3 or data[error].nunique() < 2 or data[grid].nunique() < 2:
        return out
    x, y = data[grid].to_numpy(), data[error].to_numpy()
    res = stats.spearmanr(x, y)
    out.update(rho=float(res.statistic), p=float(res.pvalue))

    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_resamples, n))
    rx, ry = stats.rankdata(x[idx], axis=1), stats.rankdata(y[idx], axis=1)
    rx, ry = rx - rx.mean(axis=1, keepdims=True), ry - ry.mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (rx * ry).sum(axis=1) / np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    boot = boot[np.isfinite(boot)]
    if boot.size:
        tail = 100 * (1 - confidence) / 2
        out.update(
            low=float(np.percentile(boot, tail)), high=float(np.percentile(boot, 100 - tail))
        )
    return out


def condition_effect(
    df: pd.DataFrame,
    baseline,
    other,
    metric: str = "grid_fraction_037",
    by: str = "condition",
) -> dict[str, float]:
    """How far ``other``'s median of ``metric`` lies from ``baseline``'s, against the spread
    between seeds (finished trials only).

    Returns ``n_baseline``, ``n_other`` (seeds), ``difference`` (median of other - median of
    baseline, in the metric's units), ``spread`` (the larger of the two conditions'
    interquartile ranges over seeds), ``beyond_spread`` (1.0 when ``|difference| > spread``,
    else 0.0) and ``p``, the two-sided Mann-Whitney U test; NaN where a condition has no seed.
    """
    if metric not in df.columns or by not in df.columns:
        raise GridcoreError(f"no column {metric!r} or {by!r}; the table has: {', '.join(df)}")
    data = finished(df)
    a = data.loc[data[by] == baseline, metric].astype(float).dropna().to_numpy()
    b = data.loc[data[by] == other, metric].astype(float).dropna().to_numpy()
    out = {"n_baseline": a.size, "n_other": b.size}
    if not (a.size and b.size):
        return {**out, "difference": np.nan, "spread": np.nan, "beyond_spread": np.nan, "p": np.nan}
    iqr = max(float(np.subtract(*np.quantile(v, [0.75, 0.25]))) for v in (a, b))
    diff = float(np.median(b) - np.median(a))
    p = float(stats.mannwhitneyu(b, a).pvalue) if min(a.size, b.size) > 1 else np.nan
    return {
        **out,
        "difference": diff,
        "spread": iqr,
        "beyond_spread": float(abs(diff) > iqr),
        "p": p,
    }


def error_vs_grid_table(
    df: pd.DataFrame, by: str = "experiment", n_resamples: int = 2000, seed: int = 0
) -> pd.DataFrame:
    """:func:`error_vs_grid` within each group of ``by`` and over all trials (the last row,
    ``all``): columns ``n``, ``rho``, ``p``, ``low``, ``high``."""
    rows = {
        name: error_vs_grid(g, n_resamples=n_resamples, seed=seed)
        for name, g in df.groupby(by, sort=False)
    }
    rows["all"] = error_vs_grid(df, n_resamples=n_resamples, seed=seed)
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)
    return out.astype({"n": int})


# --------------------------------------------------------------------------------------------
# A condition against the sweep's baseline, in words and in a table

#: How each metric reads in a sentence: (unit, factor from the table's value to that unit).
METRIC_UNITS: dict[str, tuple[str, float]] = {
    "grid_fraction_037": ("points", 100.0),
    "grid_fraction_080": ("points", 100.0),
    "position_error_cm": ("cm", 1.0),
    "heading_error_deg": ("degrees", 1.0),
    "loss": ("nats", 1.0),
    "median_scale_m": ("cm", 100.0),
    "position_error_15s_cm": ("cm", 1.0),
    "untrained_error_15s_cm": ("cm", 1.0),
    "real_path_error_15s_cm": ("cm", 1.0),
    "untrained_real_path_error_15s_cm": ("cm", 1.0),
    "place_loss": ("nats", 1.0),
    "l2_loss": ("nats", 1.0),
    "l2_share": ("points", 100.0),
}

#: What each metric is, in a sentence.
METRIC_NAMES: dict[str, str] = {
    "grid_fraction_037": "grid-like units (> 0.37)",
    "grid_fraction_080": "strongly grid-like units (> 0.8)",
    "position_error_cm": "position error",
    "heading_error_deg": "heading error",
    "loss": "loss",
    "median_scale_m": "median grid scale",
    "position_error_15s_cm": "position error after 15 s",
    "untrained_error_15s_cm": "untrained position error after 15 s",
    "real_path_error_15s_cm": "position error after 15 s along the recorded rat's paths",
    "untrained_real_path_error_15s_cm": "untrained error after 15 s along the recorded paths",
    "place_loss": "place-cell loss",
    "l2_loss": "L2 term",
    "l2_share": "L2 term's share of the loss",
}


def conditions(df: pd.DataFrame, by: str = "condition") -> list:
    """The conditions of a table, in the table's order."""
    return list(dict.fromkeys(df[by]))


def _diverged(df: pd.DataFrame, condition, by: str = "condition") -> int:
    """How many seeds of ``condition`` diverged."""
    if "status" not in df.columns:
        return 0
    return int(((df[by] == condition) & (df["status"] == "diverged")).sum())


def effect_sentence(
    df: pd.DataFrame, baseline, other, metric: str = "grid_fraction_037", by: str = "condition"
) -> str:
    """:func:`condition_effect` in words: how far ``other``'s median lies from ``baseline``'s,
    in the metric's unit (:data:`METRIC_UNITS`), and whether that is beyond the seeds' spread."""
    unit, scale = METRIC_UNITS.get(metric, ("", 1.0))
    e = condition_effect(df, baseline, other, metric, by)
    if not e["n_other"] and (diverged := _diverged(df, other, by)):
        who = "the only seed" if diverged == 1 else f"all {count(diverged, 'seed')}"
        return f"{who} of `{other}` diverged, so it has no value to compare"
    if not (e["n_baseline"] and e["n_other"]):
        return f"`{other}` against `{baseline}`: not enough seeds yet"
    diff, spread = scale * e["difference"], scale * e["spread"]
    side = "above" if diff > 0 else "below"
    size = "larger" if e["beyond_spread"] else "smaller"
    return (
        f"the median of `{other}` lies {abs(diff):.1f} {unit} {side} that of `{baseline}` "
        f"({e['n_other']} and {count(e['n_baseline'], 'seed')}), {size} than the spread between seeds "
        f"({spread:.1f} {unit}, the larger interquartile range)"
    )


def verdict(
    df: pd.DataFrame | None,
    baseline=None,
    metrics: tuple[str, ...] = ("grid_fraction_037", "position_error_cm"),
    by: str = "condition",
) -> str:
    """Every other condition against ``baseline`` (default: the table's first condition), one
    sentence per metric; a plain sentence when there is no table yet."""
    if df is None or df.empty:
        return "The sweep has no finished trial yet, so there is no verdict."
    conds = conditions(df, by)
    baseline = conds[0] if baseline is None else baseline
    others = [c for c in conds if c != baseline]
    if baseline not in conds or not others:
        return f"Only `{conds[0]}` has finished seeds so far; there is nothing to compare yet."
    parts = []
    for metric in metrics:
        said = "; ".join(effect_sentence(df, baseline, o, metric, by) for o in others)
        parts.append(f"In {METRIC_NAMES.get(metric, metric)}, {said}.")
    return " ".join(parts)


def comparison(
    df: pd.DataFrame,
    baseline=None,
    metrics: tuple[str, ...] = ("grid_fraction_037", "position_error_cm", "loss"),
    by: str = "condition",
) -> pd.DataFrame:
    """Per condition: finished and diverged seeds, and for each metric its median over seeds
    and the difference from ``baseline``'s median (default: the first condition), marked ``*``
    where it is larger than the spread between seeds (:func:`condition_effect`). Fractions in
    percent."""
    data = finished(df)
    conds = conditions(df, by)
    baseline = conds[0] if baseline is None else baseline
    rows = {}
    for cond in conds:
        group = data[data[by] == cond]
        row: dict[str, object] = {"seeds": len(group), "diverged": _diverged(df, cond, by)}
        for metric in metrics:
            unit, scale = METRIC_UNITS.get(metric, ("", 1.0))
            unit = "%" if unit == "points" else unit
            values = group[metric].astype(float).dropna()
            row[f"{metric} median ({unit})"] = (
                round(scale * float(values.median()), 2) if len(values) else np.nan
            )
            if cond == baseline:
                row[f"{metric} vs baseline"] = "baseline"
                continue
            e = condition_effect(df, baseline, cond, metric, by)
            row[f"{metric} vs baseline"] = (
                "–"
                if not np.isfinite(e["difference"])
                else f"{scale * e['difference']:+.1f}{'*' if e['beyond_spread'] else ''}"
            )
        rows[cond] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis(by)


def best_per_family(
    df: pd.DataFrame, metric: str = "grid_fraction_037", sep: str = " lr ", by: str = "condition"
) -> pd.DataFrame:
    """For conditions named ``<family><sep><setting>`` (``adam lr 1e-3``), the setting whose
    median ``metric`` over seeds is highest, per family: columns ``best``, ``seeds``,
    ``median``, ``min``, ``max`` and ``settings`` (how many were tried). Choosing the best on the
    same seeds that report it flatters every family alike; the table says which was chosen."""
    s = spread(df, metric, by)
    rows = {}
    for cond in s.index:
        family = str(cond).split(sep)[0]
        best = rows.get(family)
        rows.setdefault(family, {"settings": 0})
        rows[family]["settings"] += 1
        if best is None or "best" not in best or s.loc[cond, "median"] > best["median"]:
            rows[family].update(
                best=cond,
                seeds=int(s.loc[cond, "seeds"]),
                **{k: float(s.loc[cond, k]) for k in ("median", "min", "max")},
            )
    out = pd.DataFrame.from_dict(rows, orient="index").rename_axis("family")
    return out[["best", "seeds", "median", "min", "max", "settings"]]


def effects(
    pairs: list[tuple[str, pd.DataFrame | None, str, str]],
    metrics: tuple[str, ...] = ("median_scale_m", "grid_fraction_037"),
    by: str = "condition",
) -> pd.DataFrame:
    """One row per ``(label, table, baseline, other)``: for each metric, ``other``'s median
    minus ``baseline``'s in the metric's unit (:data:`METRIC_UNITS`), marked ``*`` where it is
    larger than the spread between seeds, and the seeds behind it. Pairs whose table or
    conditions have no finished seed yet get a row of dashes, so a summary of many sweeps can be
    drawn while some are still training."""
    rows = {}
    for label, df, baseline, other in pairs:
        row: dict[str, object] = {}
        for metric in metrics:
            unit, scale = METRIC_UNITS.get(metric, ("", 1.0))
            head = f"{METRIC_NAMES.get(metric, metric)} ({'%' if unit == 'points' else unit})"
            e = (
                condition_effect(df, baseline, other, metric, by)
                if df is not None and metric in df.columns
                else {"difference": np.nan, "n_other": 0, "n_baseline": 0}
            )
            ok = np.isfinite(e["difference"])
            row[head] = (
                f"{scale * e['difference']:+.1f}{'*' if e['beyond_spread'] else ''}" if ok else "–"
            )
            row.setdefault("seeds", f"{e['n_other']} vs {e['n_baseline']}" if ok else "–")
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("change")


#: Per sweep, the condition that trains the `quick` preset unchanged: the baseline of its answers.
QUICK_BASELINES: dict[str, str] = {
    "dropout": "dropout=0.5",
    "place-cells": "256 cells",
    "batch-size": "batch 10",
    "optimiser": "tf1_rmsprop lr 1e-3",
    "network-size": "hidden 128, bottleneck 256",
    "hd-off": "head direction on",
    "core": "lstm",
    "inputs": "egocentric",
}


def quick_labels(
    sweep: str, df: pd.DataFrame | None, shared_with: str | None = None
) -> dict[str, str]:
    """How the answers (``labels=``) name ``sweep``'s unchanged-`quick` condition
    (:data:`QUICK_BASELINES`) in plain words, with whose seeds are behind it: those shared with
    the sweep ``shared_with`` or the sweep's own. Empty where the sweep has no such condition or
    no table."""
    cond = QUICK_BASELINES.get(sweep)
    if df is None or cond is None or cond not in set(df["condition"]):
        return {}
    whose = "on the shared seeds" if shared_with else "on this sweep's seeds"
    return {cond: f"{plain_name(cond)}, {whose}"}


def quick_baselines(
    tables: dict[str, tuple[pd.DataFrame | None, str | None]],
    metric: str = "grid_fraction_037",
) -> pd.DataFrame:
    """The unchanged `quick` preset in each sweep of ``tables`` (``sweep: (table, the sweep
    whose first seeds it reuses, or None)``): its condition of :data:`QUICK_BASELINES`, or the
    table's first condition for a sweep not listed there. One row per sweep with a finished
    seed (index ``sweep``): ``seeds`` (finished), ``shared_with`` (the reused sweep, or "") and
    ``median`` of ``metric`` over seeds (:func:`seed_median`; a fraction of units)."""
    rows = []
    for sweep, (df, shared_with) in tables.items():
        if df is None or df.empty or metric not in df.columns:
            continue
        data = finished(df)
        cond = QUICK_BASELINES.get(sweep, df["condition"].iloc[0])
        seeds = data[(data["condition"] == cond) & data[metric].astype(float).notna()]
        if len(seeds):
            rows.append((sweep, len(seeds), shared_with or "", seed_median(seeds, metric)))
    columns = ["sweep", "seeds", "shared_with", "median"]
    return pd.DataFrame(rows, columns=columns).set_index("sweep")
