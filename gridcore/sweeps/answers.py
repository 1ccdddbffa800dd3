"""One question, one sentence: the answers that the book's experiment chapters give.

Each answer reads a shipped sweep's table at its last step and says *yes*, *no* or *no clear
difference*, with both medians, the seeds behind them and whether the gap is larger than the
spread between seeds (:func:`gridcore.sweeps.summary.condition_effect`); where it cannot tell
(too few seeds, every seed diverged, no table) it says why. :data:`QUESTIONS` lists the
questions of the book's experiments chapter, and :func:`experiments_table` answers them all.
Counts take their noun in the right number (:func:`gridcore.formatting.count`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.errors import GridcoreError
from gridcore.formatting import count, plural
from gridcore.paper import GRID_FRACTION
from gridcore.sweeps.names import plain_name
from gridcore.sweeps.summary import (
    METRIC_NAMES,
    METRIC_UNITS,
    _diverged,
    best_per_family,
    condition_effect,
    conditions,
    error_vs_grid,
    finished,
    spread,
)
from gridcore.sweeps.tables import load, load_all

#: How a metric's value reads in an answer; ``{}`` is the value with its unit.
QUANTITIES: dict[str, str] = {
    "grid_fraction_037": "{} grid-like units",
    "grid_fraction_080": "{} strongly grid-like units",
    "position_error_cm": "a position error of {}",
    "heading_error_deg": "a heading error of {}",
    "loss": "a loss of {}",
    "median_scale_m": "a median grid scale of {}",
    "position_error_15s_cm": "an error of {} after 15 s",
    "real_path_error_15s_cm": "an error of {} after 15 s along the recorded paths",
}


def value_text(metric: str, x: float) -> str:
    """A metric's value as the answers write it: fractions in percent with one decimal, lengths
    and angles in whole units, losses with two decimals (:data:`METRIC_UNITS`)."""
    unit, scale = METRIC_UNITS.get(metric, ("", 1.0))
    if unit == "points":
        return f"{100 * x:.1f} %"
    digits = 2 if unit == "nats" else (0 if unit in ("cm", "degrees") else 2)
    return f"{scale * x:.{digits}f} {unit}".rstrip()


def _quantity(metric: str, x: float) -> str:
    return QUANTITIES.get(metric, f"{METRIC_NAMES.get(metric, metric)} {{}}").format(
        value_text(metric, x)
    )


def _seeds(n_a: int, n_b: int) -> str:
    return f"{count(n_a, 'seed')} each" if n_a == n_b else f"{n_a} and {count(n_b, 'seed')}"


#: How an answer says which way a metric moved: its noun, then the words for up and down.
DIRECTIONS: dict[str, tuple[str, str, str]] = {
    "grid_fraction_037": ("the share of grid-like units", "higher", "lower"),
    "grid_fraction_080": ("the share of strongly grid-like units", "higher", "lower"),
    "position_error_cm": ("the position error", "larger", "smaller"),
    "heading_error_deg": ("the heading error", "larger", "smaller"),
    "loss": ("the loss", "higher", "lower"),
    "median_scale_m": ("the grid", "larger", "smaller"),
    "position_error_15s_cm": ("the error after 15 s", "larger", "smaller"),
    "real_path_error_15s_cm": (
        "the error after 15 s along the recorded paths",
        "larger",
        "smaller",
    ),
}


def _direction(metric: str) -> tuple[str, str, str]:
    return DIRECTIONS.get(metric, (METRIC_NAMES.get(metric, metric), "higher", "lower"))


def _name(labels: dict, condition) -> str:
    """How an answer names ``condition``: its label, else its plain name (:func:`plain_name`)."""
    return labels.get(condition) or plain_name(condition)


def _not_learnt(df, conds_labels, limit_cm, by) -> tuple[str, float] | None:
    """The first (label, median position error) of ``conds_labels`` above ``limit_cm``."""
    if limit_cm is None or df is None or "position_error_cm" not in df.columns:
        return None
    data = finished(df)
    for cond, label in conds_labels:
        err = float(data.loc[data[by] == cond, "position_error_cm"].astype(float).median())
        if np.isfinite(err) and err > limit_cm:
            return label, err
    return None


def _all_diverged(n: int, label: str) -> str:
    """That every seed of ``label`` diverged: "the only seed of X" or "all 3 seeds of X"."""
    return f"the only seed of {label}" if n == 1 else f"all {count(n, 'seed')} of {label}"


def _with_value(n: int, done: int, label: str, metric: str) -> str:
    """How many of ``done`` finished seeds of ``label`` have a value of ``metric``."""
    name = METRIC_NAMES.get(metric, metric)
    if n == 0:
        return f"none of the {count(done, 'finished seed')} of {label} has a value of {name}"
    return (
        f"only {n} of the {count(done, 'finished seed')} of {label} "
        f"{'has' if n == 1 else 'have'} a value of {name}"
    )


def _not_comparable(df, conds_labels, metric, by, min_seeds) -> str | None:
    """Why ``conds_labels`` ((condition, label) pairs) cannot be compared, or None."""
    if df is None or df.empty or metric not in df.columns or by not in df.columns:
        return f"Not known: there is no table with {METRIC_NAMES.get(metric, metric)} to read."
    data = finished(df)
    counts = []
    for cond, label in conds_labels:
        values = data.loc[data[by] == cond, metric].astype(float)
        n, done = int(values.notna().sum()), len(values)
        if not done and (diverged := _diverged(df, cond, by)):
            return (
                f"Cannot tell: {_all_diverged(diverged, label)} diverged, so there is nothing to "
                "compare."
            )
        counts.append((n, done, label))
    short = [c for c in counts if c[0] < min_seeds]
    if short:
        said = " and ".join(
            f"{label} has {count(n, 'finished seed', zero='no')}"
            if n == done
            else _with_value(n, done, label, metric)
            for n, done, label in short
        )
        return f"Not enough seeds to tell: {said}, and the spread between seeds needs {min_seeds}."
    return None


def answer(
    df: pd.DataFrame | None,
    baseline,
    other,
    metric: str = "grid_fraction_037",
    *,
    question: str | None = None,
    expect: str | None = None,
    labels: dict | None = None,
    by: str = "condition",
    min_seeds: int = 2,
    limit_cm: float | None = None,
) -> str:
    """One plain sentence that answers a question about ``other`` against ``baseline``.

    It opens with the answer and the direction of the change, then both medians of ``metric``
    over seeds and how many seeds, in a parenthesis. The answer is *Yes* for a gap beyond the
    spread between seeds (:func:`condition_effect`; in the direction ``expect``, "higher" or
    "lower", when given), *No* for a gap beyond the spread the other way, and *No clear
    difference* within it. Where a condition has fewer than ``min_seeds`` finished seeds, or all
    of its seeds diverged, the sentence says so instead; with ``limit_cm`` (the largest median
    position error of a network that learnt the task), a condition above it gets no verdict.
    ``labels`` maps a condition to how the sentence names it (default: :func:`plain_name`);
    ``question``, when given, opens the sentence.
    """
    if expect not in (None, "higher", "lower"):
        raise GridcoreError(f"expect must be 'higher', 'lower' or None, not {expect!r}")
    labels = labels or {}
    name_b, name_o = (_name(labels, c) for c in (baseline, other))
    lead = f"{question} " if question else ""
    why = _not_comparable(df, ((other, name_o), (baseline, name_b)), metric, by, min_seeds)
    if why:
        return lead + why
    e = condition_effect(df, baseline, other, metric, by)
    data = finished(df)
    med_b, med_o = (
        float(data.loc[data[by] == c, metric].astype(float).median()) for c in (baseline, other)
    )
    values = (
        f"{value_text(metric, med_o)} with {name_o}, against {value_text(metric, med_b)} with "
        f"{name_b}"
    )
    seeds = f"medians of {_seeds(e['n_other'], e['n_baseline'])}"
    unlearnt = _not_learnt(df, ((other, name_o), (baseline, name_b)), limit_cm, by)
    if unlearnt:
        who, err = unlearnt
        return (
            f"{lead}No verdict: the networks with {who} did not learn the task (a median "
            f"position error of {err:.0f} cm, above the {limit_cm:.0f} cm of a network that "
            f"learnt), so the gap ({values}; {seeds}) does not answer the question."
        )
    noun, up, down = _direction(metric)
    if not e["beyond_spread"]:
        return (
            f"{lead}No clear difference: {values}, a gap within the spread between seeds ({seeds})."
        )
    higher = e["difference"] > 0
    word = "Yes" if expect is None or (expect == "higher") == higher else "No"
    return f"{lead}{word}: {noun} is {up if higher else down} ({values}; {seeds})."


def ranking(
    df: pd.DataFrame | None,
    baseline,
    metric: str = "grid_fraction_037",
    *,
    conditions_: list | None = None,
    labels: dict | None = None,
    by: str = "condition",
    min_seeds: int = 2,
    limit_cm: float | None = None,
) -> str:
    """Every condition of a sweep against ``baseline``, in one sentence: the baseline's median
    of ``metric``, then the conditions within the spread between seeds of it, above it and
    below it by more than the spread (each with its median), and those whose seeds all
    diverged, are too few, or (with ``limit_cm``) whose median position error is above it, so
    that they did not learn the task. ``conditions_``: which to rank (default: all, in table
    order)."""
    labels = labels or {}
    name_b = _name(labels, baseline)
    why = _not_comparable(df, ((baseline, name_b),), metric, by, min_seeds)
    if why:
        return why
    data = finished(df)
    med_b = float(data.loc[data[by] == baseline, metric].astype(float).median())
    n_b = int(data.loc[data[by] == baseline, metric].astype(float).notna().sum())
    groups: dict[str, list[tuple[float, str]]] = {
        "within": [],
        "above": [],
        "below": [],
        "unlearnt": [],
        "diverged": [],
        "few": [],
    }
    for cond in conditions_ if conditions_ is not None else conditions(df, by):
        if cond == baseline:
            continue
        name = _name(labels, cond)
        e = condition_effect(df, baseline, cond, metric, by)
        if not e["n_other"] and _diverged(df, cond, by):
            groups["diverged"].append((0.0, name))
        elif e["n_other"] < min_seeds:
            groups["few"].append((0.0, name))
        elif _not_learnt(df, ((cond, name),), limit_cm, by):
            groups["unlearnt"].append((0.0, name))
        else:
            med = float(data.loc[data[by] == cond, metric].astype(float).median())
            side = (
                "within"
                if not e["beyond_spread"]
                else ("above" if e["difference"] > 0 else "below")
            )
            groups[side].append((med, f"{name} ({value_text(metric, med)})"))
    _, up, down = _direction(metric)
    heads = {
        "within": "within the spread between seeds",
        "above": up,
        "below": down,
        "unlearnt": f"did not learn the task (a median position error above {limit_cm or 0:.0f} cm)",
        "diverged": "every seed diverged",
        "few": f"fewer than {min_seeds} finished {plural(min_seeds, 'seed')}",
    }
    parts = [f"{name_b}: {_quantity(metric, med_b)} (median of {count(n_b, 'seed')})"]
    for k, v in groups.items():
        if v:  # highest median first; the stable sort keeps the table's order otherwise
            names = [name for _, name in sorted(v, key=lambda m: -m[0])]
            parts.append(f"{heads[k]}: {', '.join(names)}")
    if len(parts) == 1:
        parts.append("there is no other condition to compare")
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def learnt_answer(df: pd.DataFrame, condition: str, baseline: str, limit: float) -> str:
    """Has ``condition`` learnt the task? Its median position error against ``baseline``'s and
    against ``limit`` (cm), the book's largest median error of a network that learnt
    (:func:`gridcore.headline.learnt_error_limit_cm`)."""
    err = spread(df, "position_error_cm")["median"]
    text = (
        f"The `{condition}` networks end with a median position error of {err[condition]:.0f} cm, "
        f"against {err[baseline]:.0f} cm for `{baseline}`"
    )
    rule = f"{limit:.0f} cm, half the error of always guessing the box's centre"
    if err[condition] > limit:
        return (
            f"{text}: above {rule}. They have not learnt to path-integrate, so their grid-like "
            "units say little about where these targets lead with longer training."
        )
    return f"{text}: within {rule}, so they have learnt the task."


def level_answer(
    df: pd.DataFrame | None,
    condition=None,
    level: float = 0.25,
    metric: str = "grid_fraction_037",
    *,
    target_share: float | None = None,
    by: str = "condition",
) -> str:
    """How many seeds of ``condition`` (default: the table's first) reach ``level`` of
    ``metric`` at the last step, with the median and range over seeds and the paper's
    fraction. With ``target_share`` (0-1) it opens with *Yes* or *No*: do at least that share
    of the seeds reach ``level``?"""
    if df is None or df.empty or metric not in df.columns:
        return f"Not known: there is no table with {METRIC_NAMES.get(metric, metric)} to read."
    condition = conditions(df, by)[0] if condition is None else condition
    data = finished(df)
    v = data.loc[data[by] == condition, metric].astype(float).dropna().to_numpy()
    if not v.size:
        diverged = _diverged(df, condition, by)
        return (
            f"Cannot tell: {_all_diverged(diverged, f'`{condition}`')} diverged."
            if diverged
            else f"Not enough seeds to tell: `{condition}` has no finished seed."
        )
    hit = int((v >= level).sum())
    steps = data.loc[data[by] == condition, "step"] if "step" in data.columns else pd.Series()
    at = f" at step {int(steps.max()):,}" if len(steps) else " at the last step"
    lead = ""
    if target_share is not None:
        lead = "Yes: " if hit >= target_share * v.size else "No: "
    if v.size == 1:  # no median or range of one value
        text = (
            f"one finished seed, with {_quantity(metric, float(v[0]))}{at}, "
            f"{'at or above' if hit else 'below'} {value_text(metric, level)}"
        )
    else:
        text = (
            f"a median of {_quantity(metric, float(np.median(v)))} over {count(v.size, 'seed')} "
            f"({value_text(metric, v.min())} to {value_text(metric, v.max())}), and {hit} of "
            f"{v.size} seeds at {value_text(metric, level)} or more{at}"
        )
    if metric == "grid_fraction_037":
        text += f"; the paper reports {value_text(metric, GRID_FRACTION)}"
    return lead + text + "." if lead else text[0].upper() + text[1:] + "."


def correlation_answer(stats_: dict[str, float], n_sweeps: int) -> str:
    """:func:`error_vs_grid`'s result in one sentence: does a smaller position error go with
    more grid-like units, over how many distinct networks from how many sweeps. The networks
    differ in their settings, so a relation is said to hold across settings only."""
    n = int(stats_.get("n", 0))
    if not np.isfinite(stats_.get("rho", np.nan)):
        return (
            f"Not enough networks to tell: {count(n, 'network', zero='no')} "
            f"{'has' if n == 1 else 'have'} both numbers, and the rank correlation needs 3."
        )
    within = "; this is a link across settings, which does not show that it holds within one"
    if stats_["high"] < 0:
        word, what = "Across settings, yes", "networks with more grid-like units path-integrate "
        what += "better" + within
    elif stats_["low"] > 0:
        word, what = "No", "networks with more grid-like units path-integrate worse" + within
    else:
        word, what = "No clear relation", "the interval includes zero"
    interval = (
        f" (bootstrap 95 % interval {stats_['low']:.2f} to {stats_['high']:.2f})"
        if np.isfinite(stats_.get("low", np.nan))
        else ""
    )
    return (
        f"{word}: over {n} distinct networks from {count(n_sweeps, 'sweep')}, Spearman's rank "
        f"correlation of position error with the share of grid-like units is "
        f"{stats_['rho']:.2f}{interval}, so {what}."
    )


def answers_table(rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table of ``(question, answer, where)`` rows, the columns *question*,
    *answer* and *see*; ``|`` inside a cell is escaped."""

    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| question | answer | see |", "| :-- | :-- | :-- |"]
    lines += [f"| {cell(q)} | {cell(a)} | {cell(w)} |" for q, a, w in rows]
    return "\n".join(lines)


#: The questions that the shipped sweeps answer, in the order of the book's experiments table.
#: ``kind`` picks the sentence: ``level`` (:func:`level_answer`), ``answer`` (:func:`answer`),
#: ``ranking`` (:func:`ranking`), ``best`` (each family at its best setting,
#: :func:`best_per_family`, then ranked) or ``correlation`` (every shipped network,
#: :func:`correlation_answer`). ``see`` is where the book shows it (MyST link text). ``learnt``
#: in ``args``: give no verdict for a condition whose networks did not learn the task.
QUESTIONS: tuple[dict, ...] = (
    {"experiment": "headline-fast",
     "question": "How typical is the shipped network over ten seeds of its preset?",
     "kind": "level", "see": "{doc}`10_many_seeds`"},
    {"experiment": "headline-quick",
     "question": "How many seeds of the 8000-step `quick` preset reach 25 % grid-like units?",
     "kind": "level", "see": "{doc}`10_many_seeds`"},
    {"experiment": "headline-quick-wide",
     "question": "With place cells 10 cm wide, how many of 10 seeds reach 25 % in 8000 steps?",
     "kind": "level", "see": "{doc}`10_many_seeds`"},
    {"experiment": "dropout", "question": "Does dropout matter?", "kind": "answer",
     "args": {"baseline": "dropout=0.0", "other": "dropout=0.5", "expect": "higher"},
     "see": "{ref}`below <sec-11-dropout>`"},
    {"experiment": "place-cells", "question": "Do 1024 place cells grow fewer grid units than 256?",
     "kind": "answer", "args": {"baseline": "256 cells", "other": "1024 cells", "expect": "lower"},
     "see": "{ref}`below <sec-11-place>`"},
    {"experiment": "place-cells", "question": "Do wider place cells help?", "kind": "answer",
     "args": {"baseline": "256 cells", "other": "sigma 10 cm", "expect": "higher"},
     "see": "{ref}`below <sec-11-place>`"},
    {"experiment": "batch-size", "question": "Does batch size matter?", "kind": "ranking",
     "args": {"baseline": "batch 10"}, "see": "{ref}`below <sec-11-batch>`"},
    {"experiment": "optimiser", "question": "Which optimiser grows grid units?", "kind": "best",
     "see": "{ref}`below <sec-11-optimiser>`"},
    {"experiment": "network-size",
     "question": "What is the smallest network that still grows grid units?", "kind": "ranking",
     "args": {"baseline": "hidden 128, bottleneck 256"}, "see": "{ref}`below <sec-11-size>`"},
    {"experiment": "hd-off", "question": "Do grid units need head-direction cells?",
     "kind": "answer",
     "args": {"baseline": "head direction on", "other": "head direction off", "expect": "lower"},
     "see": "{ref}`below <sec-11-hd>`"},
    {"experiment": "core", "question": "Does a plain RNN or an attention model do the same?",
     "kind": "ranking", "args": {"baseline": "lstm"}, "see": "{ref}`below <sec-11-core>`"},
    {"experiment": "inputs", "question": "Does Cartesian velocity path-integrate better?",
     "kind": "answer",
     "args": {"baseline": "egocentric", "other": "allocentric", "metric": "position_error_cm",
              "expect": "lower"}, "see": "{ref}`below <sec-11-inputs>`"},
    {"experiment": "all shipped sweeps", "question": "Does path integration go with grid units?",
     "kind": "correlation", "see": "{ref}`below <sec-11-pi>`"},
    {"experiment": "grid-scale", "question": "Does a slower rat shrink the grid?",
     "kind": "answer",
     "args": {"baseline": "fast rat", "other": "paper rat", "metric": "median_scale_m", "learnt": True,
              "expect": "lower"}, "see": "{ref}`What sets the grid scale <sec-15-speed>`"},
    {"experiment": "network-size", "question": "Does a narrower bottleneck shrink the grid?",
     "kind": "answer",
     "args": {"baseline": "hidden 128, bottleneck 256", "other": "bottleneck 64",
              "metric": "median_scale_m", "learnt": True, "expect": "lower"}, "see": "{ref}`What sets the grid scale <sec-15-bottleneck>`"},
    {"experiment": "grid-scale", "question": "Do centre-surround targets shrink the grid?",
     "kind": "answer",
     "args": {"baseline": "fast rat", "other": "DoG 12 cm", "metric": "median_scale_m", "learnt": True,
              "expect": "lower"}, "see": "{ref}`What sets the grid scale <sec-15-dog>`"},
    {"experiment": "long-paths", "question": "Does a curriculum help over 15 s?",
     "kind": "answer",
     "args": {"baseline": "egocentric", "other": "egocentric, curriculum",
              "metric": "position_error_15s_cm", "expect": "lower"},
     "see": "{ref}`What sets the grid scale <sec-15-long>`"},
    {"experiment": "paper-rat", "question": "Does a slow rat grow small grids with DoG targets?",
     "kind": "answer",
     "args": {"baseline": "paper rat", "other": "DoG 12 cm, eps 1e-14, 20k steps",
              "metric": "median_scale_m", "learnt": True, "expect": "lower"}, "see": "{ref}`What sets the grid scale <sec-15-rat>`"},
)  # fmt: skip


def question_answer(
    q: dict,
    root: str | Path,
    n_resamples: int = 2000,
    seed: int = 0,
    limit_cm: float | None = None,
) -> str:
    """The one-sentence answer to a question of :data:`QUESTIONS`, from the tables under
    ``root`` (a sweep without a table is said so); ``limit_cm``, the largest median position
    error of a network that learnt the task, applies to the questions marked ``learnt``."""

    args = dict(q.get("args", {}))
    if args.pop("learnt", False) and q["kind"] in ("answer", "ranking"):
        args["limit_cm"] = limit_cm
    if q["kind"] == "correlation":
        trials = load_all(root)
        if trials.empty:
            return "Not known: no sweep has finished a trial."
        r = error_vs_grid(trials, n_resamples=n_resamples, seed=seed)
        return correlation_answer(r, trials["experiment"].nunique())
    csv = Path(root) / q["experiment"] / "results.csv"
    if not csv.is_file():
        return f"Not known: `{q['experiment']}` has no table."
    df = load(csv)
    if q["kind"] == "level":
        return level_answer(df, **args)
    if q["kind"] == "answer":
        return answer(df, args.pop("baseline"), args.pop("other"), **args)
    if q["kind"] == "ranking":
        return ranking(df, args.pop("baseline"), **args)
    if q["kind"] == "best":
        best = best_per_family(df, **args)
        chosen = df[df["condition"].isin(best["best"])]
        top = best.sort_values("median", ascending=False)["best"].iloc[0]
        return "At its best learning rate, " + ranking(chosen, top)
    raise GridcoreError(f"unknown kind of question {q['kind']!r}")


def experiments_table(
    root: str | Path,
    questions: tuple[dict, ...] = QUESTIONS,
    extra: list[tuple[str, str, str]] | None = None,
    n_resamples: int = 2000,
    seed: int = 0,
    limit_cm: float | None = None,
) -> str:
    """Every question of ``questions`` with its one-sentence answer from the tables under
    ``root`` and where the book shows it, as a Markdown table (:func:`answers_table`);
    ``extra`` rows ``(question, answer, see)`` go at the end; ``limit_cm`` as in
    :func:`question_answer`."""
    rows = [
        (q["question"], question_answer(q, root, n_resamples, seed, limit_cm), q.get("see", ""))
        for q in questions
    ]
    return answers_table(rows + list(extra or []))


#: The paper-rat sweep's two centre-surround conditions: RMSProp's epsilon at 1e-10 and 1e-14.
DOG_EPSILONS = ("DoG 12 cm, 20k steps", "DoG 12 cm, eps 1e-14, 20k steps")


def _smallest_learnt(df: pd.DataFrame, limit: float) -> tuple[str, float]:
    """Which condition of ``df`` whose networks learnt the task (a median position error of at
    most ``limit`` cm) has the smallest median grid scale, in one sentence, and that scale."""
    err = spread(df, "position_error_cm")["median"]
    scale, share = spread(df, "median_scale_m"), spread(df, "grid_fraction_037")
    learnt = [c for c in err.index[err <= limit] if np.isfinite(scale.loc[c, "median"])]
    if not learnt:
        return f"No condition of this sweep learnt the task (within {limit:.0f} cm).", np.inf
    c = scale.loc[learnt, "median"].idxmin()
    return (
        f"Of this sweep's conditions whose networks learnt the task (a median position error of "
        f"at most {limit:.0f} cm), {plain_name(c)} give the smallest grids: a median scale of "
        f"{scale.loc[c, 'median']:.2f} m (range {scale.loc[c, 'min']:.2f}-"
        f"{scale.loc[c, 'max']:.2f} m over {scale.loc[c, 'seeds']} seeds), with "
        f"{100 * share.loc[c, 'median']:.1f} % grid-like units."
    ), float(scale.loc[c, "median"])


def _epsilon_note(df: pd.DataFrame, n_place: int) -> str:
    """What RMSProp's epsilon does to the centre-surround conditions (:data:`DOG_EPSILONS`) of
    the paper-rat sweep: loss, position error, grid-like share and shuffle nulls."""
    a, b = DOG_EPSILONS
    loss = spread(df, "loss")["median"]
    if a not in loss or b not in loss:
        return ""
    err = spread(df, "position_error_cm")["median"]
    share = spread(df, "grid_fraction_037")
    null = spread(df, "shuffle_threshold")["median"]
    return (
        " The epsilon matters for centre-surround targets: at 1e-10 their networks end at a "
        f"median loss of {loss[a]:.3f} (a uniform guess: ln {n_place} = {np.log(n_place):.3f}) "
        f"with a position error of {err[a]:.0f} cm; at 1e-14, at {loss[b]:.3f} with "
        f"{err[b]:.0f} cm. Yet the networks that never learnt still have a median of "
        f"{100 * share.loc[a, 'median']:.1f} % of their units above 0.37 (range "
        f"{100 * share.loc[a, 'min']:.1f}-{100 * share.loc[a, 'max']:.1f} %): with these "
        "targets a unit above 0.37 does not show that the network learnt, and the shuffle nulls "
        f"are higher (median 95th percentile {null[a]:.2f} and {null[b]:.2f}, against "
        f"{null['paper rat']:.2f} for the paper's targets), so the shares above are to be read "
        "with the position error beside them."
    )


def paper_rat_answer(
    df: pd.DataFrame,
    limit: float,
    elsewhere: tuple[float, float, str] | None = None,
    n_place: int = 256,
) -> str:
    """How small can grids get on the paper's rat while the network still learns the task? The
    smallest median scale among the conditions of the paper-rat sweep ``df`` that learnt (a
    median position error of at most ``limit`` cm, :func:`gridcore.headline.learnt_error_limit_cm`);
    ``elsewhere`` (median scale in m, share, the condition in words), the book's smallest grids
    in another sweep (:func:`gridcore.headline.smallest_grids`), when they are smaller; and what
    RMSProp's epsilon did to the centre-surround conditions (``n_place`` cells)."""
    text, smallest = _smallest_learnt(df, limit)
    if elsewhere is not None:
        scale, share, words = elsewhere
        if scale < smallest:
            text += (
                f" Narrower targets, trained in another sweep, go smaller on the same rat: {scale:.2f} m with "
                f"{100 * share:.1f} % grid-like units ({words}; see the section on narrower "
                "targets above)."
            )
    return text + _epsilon_note(df, n_place)
