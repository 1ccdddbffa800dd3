"""The paper's own recipe over seeds, beside the paper and the independent reproductions.

:func:`recipe_table` reads a sweep's ``results.csv`` (one row per seed, each scored at its last
step) and sets each measure's median and range over seeds beside the paper's figure and the
two reproductions' (:data:`gridcore.paper.PORTS`, their own figures, cited).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.formatting import join, plural
from gridcore.paper import GRID_FRACTION, PATH_ERROR_15S_CM, PORTS

ARTICLE = "Banino et al."  # the column of the article's own figures

# Each reproduction's entry in the book's bibliography (references.bib), by repository.
CITATIONS = {
    "aaravsinhaofficial/banino": "sinha2026banino",
    "soluslan/grid-cells-torch": "soluslan2026gridcells",
}

MEASURES = {
    "grid-like units, DeepMind's scorer (%)": ("grid_fraction_037", 100, "grid_fraction"),
    "grid-like units, gridcore's scorer (%)": ("grid_fraction_037_gridcore", 100, None),
    "error after 15 s (cm)": ("position_error_15s_cm", 1, "error_15s_cm"),
    "untrained network after 15 s (cm)": ("untrained_error_15s_cm", 1, "untrained_error_15s_cm"),
    "median grid scale (m)": ("median_scale_m", 1, None),
}
PAPER = {
    "grid_fraction_037": 100 * GRID_FRACTION,
    "position_error_15s_cm": PATH_ERROR_15S_CM["trained"],
    "untrained_error_15s_cm": PATH_ERROR_15S_CM["untrained"],
}


def over_seeds(values: np.ndarray, digits: int = 1) -> str:
    """``median (low–high), n seeds`` of the finite ``values``; ``–`` when there are none."""
    values = values[np.isfinite(values)]
    if not len(values):
        return "–"
    med, lo, hi = np.median(values), values.min(), values.max()
    return f"{med:.{digits}f} ({lo:.{digits}f}–{hi:.{digits}f}), {len(values)} seeds"


def port_column(name: str) -> str:
    """The column of the reproduction ``name`` (a key of :data:`PORTS`): its number and seeds."""
    number = list(PORTS).index(name) + 1
    return f"reproduction {number} ({_count_seeds(PORTS[name]['seeds'])})"


def _count_seeds(n: int) -> str:
    return f"{n} {plural(n, 'seed')}"


def ports_sentence() -> str:
    """One sentence naming each reproduction of :func:`port_column` by a MyST citation of its
    bibliography entry (:data:`CITATIONS`)."""
    links = [
        f"reproduction {i} is {{cite:t}}`{CITATIONS[name]}`" for i, name in enumerate(PORTS, 1)
    ]
    return f"{', '.join(links[:-1])} and {links[-1]}." if len(links) > 1 else f"{links[0]}."


def recipe_table(results: pd.DataFrame, step: int | None = None) -> pd.DataFrame:
    """Rows: the measures; columns: ours (over the finished seeds at ``step``, by default the
    largest step reached), the article's figure (:data:`ARTICLE`), and each reproduction
    (:func:`port_column`)."""
    done = results[results.status == "done"] if "status" in results else results
    if step is not None:
        done = done[done.step == step]
    rows = []
    for label, (column, scale, port_key) in MEASURES.items():
        digits = 2 if "scale" in label else 1
        values = scale * done[column].to_numpy(float) if column in done else np.array([])
        row = {"measure": label, "gridcore": over_seeds(values, digits)}
        paper = PAPER.get(column)
        row[ARTICLE] = "–" if paper is None else f"{paper:.{digits}f}"
        for name, figures in PORTS.items():
            value = figures.get(port_key) if port_key else None
            if value is None:
                row[port_column(name)] = "–"
            else:
                value = 100 * value if column.startswith("grid_fraction") else value
                row[port_column(name)] = f"{value:.{digits}f}"
        rows.append(row)
    return pd.DataFrame(rows)


def steps_per_second(history: pd.DataFrame) -> float:
    """Training steps per second of wall time over a run's history (step, elapsed_s)."""
    if len(history) < 2:
        return math.nan
    span = history.elapsed_s.iloc[-1] - history.elapsed_s.iloc[0]
    return float((history.step.iloc[-1] - history.step.iloc[0]) / span) if span > 0 else math.nan


def progress(sweep_dir: Path) -> pd.DataFrame:
    """Per trial still training under ``sweep_dir/trials``: its last scored ``step`` and its
    ``grid_fraction_037`` there, read from the trial's ``history.csv``."""
    rows = []
    for history in sorted(Path(sweep_dir).glob("trials/*/history.csv")):
        h = pd.read_csv(history)
        scored = h[np.isfinite(h.get("grid_fraction_037", pd.Series(dtype=float)))]
        if len(scored):
            last = scored.iloc[-1]
            rows.append(
                {
                    "trial": history.parent.name,
                    "step": int(last.step),
                    "grid_fraction_037": float(last.grid_fraction_037),
                }
            )
    return pd.DataFrame(rows, columns=["trial", "step", "grid_fraction_037"])


def histories(sweep_dir: Path) -> pd.DataFrame:
    """Every logged step of every trial under ``sweep_dir/trials``: ``trial``, ``step``,
    ``place_loss``, ``grid_fraction_037`` (NaN where it was not scored) and ``elapsed_s``."""
    frames = [
        pd.read_csv(h).assign(trial=h.parent.name)
        for h in sorted(Path(sweep_dir).glob("trials/*/history.csv"))
    ]
    columns = ["trial", "step", "place_loss", "grid_fraction_037", "elapsed_s"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def scored_at(history: pd.DataFrame, step: int) -> pd.DataFrame:
    """The trials of ``history`` (from :func:`histories`) scored at ``step`` during training, as
    finished rows for :func:`recipe_table`: ``trial``, ``status``, ``step`` and
    ``grid_fraction_037`` (a fraction of units); nothing else was measured there."""
    rows = history[(history.step == step) & history.grid_fraction_037.notna()]
    rows = rows.drop_duplicates("trial", keep="last")
    return rows[["trial", "step", "grid_fraction_037"]].assign(status="done")


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _number(n: int) -> str:
    """A small count in words (``"two"``), larger ones in digits."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"


def seed_hours(history: pd.DataFrame, final_step: int) -> float:
    """Hours of training one seed needs to reach ``final_step``, at the median pace (steps a
    second) of the trials in ``history`` (as :func:`histories` gives it); NaN without a pace."""
    rates = [steps_per_second(g) for _, g in history.groupby("trial")]
    rate = float(np.nanmedian(rates)) if rates and np.isfinite(rates).any() else math.nan
    return final_step / rate / 3600 if rate > 0 else math.nan


def median_seed(shares: pd.Series) -> str:
    """The reading rule's seed: the trial (the index) whose share is the median of ``shares``,
    the lower of the middle two when their number is even."""
    order = shares.dropna().sort_values(kind="stable")
    if order.empty:
        raise ValueError("no seed has a share to rank")
    return str(order.index[(len(order) - 1) // 2])


def _last_steps(history: pd.DataFrame) -> pd.Series:
    """Each trial's last scored step (index: trial); trials without a scoring are left out."""
    scored = history.dropna(subset=["grid_fraction_037"]) if len(history) else history
    return scored.groupby("trial").step.max() if len(scored) else pd.Series(dtype=int)


def _steps_phrase(last: pd.Series) -> str:
    """``"step 5,000"`` or ``"steps 3,000 to 5,000"``: where the trials of ``last`` are."""
    lo, hi = int(last.min()), int(last.max())
    return f"step {lo:,}" if lo == hi else f"steps {lo:,} to {hi:,}"


def finished(history: pd.DataFrame, seeds: int, final_step: int) -> bool:
    """Whether all ``seeds`` trials of ``history`` have been scored at ``final_step``."""
    return int((_last_steps(history) >= final_step).sum()) == seeds


def training_note(history: pd.DataFrame, seeds: int, final_step: int) -> str:
    """A short note for a table cell on a recipe still training, in step with
    :func:`progress_sentence`: ``"in training: 1 of 4 seeds at step 300,000; the others last
    scored at steps 225,000 and 25,000; 1 not started"``."""
    last = _last_steps(history)
    if not len(last):
        return f"in training: no seed scored yet, of {final_step:,} steps"
    done = int((last >= final_step).sum())
    others = sorted(int(s) for s in last[last < final_step])
    parts = [f"in training: {done} of {seeds} seeds at step {final_step:,}"]
    if others:
        many = len(others) > 1
        parts.append(
            f"the {'others' if many else 'other'} last scored at step{'s' if many else ''} "
            + join(f"{s:,}" for s in others)
        )
    if seeds > len(last):
        parts.append(f"{seeds - len(last)} not started")
    return "; ".join(parts)


def progress_sentence(history: pd.DataFrame, seeds: int, final_step: int) -> str:
    """One sentence: how far the ``seeds`` trials in ``history`` (from :func:`histories`) have
    trained towards ``final_step``, by their last scoring, and what can be said about the recipe
    at that point."""
    last = _last_steps(history)
    done, total = int((last >= final_step).sum()), _number(seeds)
    waiting = seeds - len(last)
    if len(last) == 0:
        return f"None of the {total} seeds has been scored yet, so nothing can be said yet."
    if done == seeds:
        at_end = history[history.step == final_step].set_index("trial").grid_fraction_037
        pick = f", `{median_seed(at_end)}`," if at_end.notna().any() else ""
        return (
            f"All {total} seeds have reached step {final_step:,}, so the recipe's result can be "
            f"read: the table below gives it, and the median seed{pick} is the network kept."
        )
    if done:
        rest = seeds - done
        return (
            f"{_number(done).capitalize()} of the {total} seeds {plural(done, 'has', 'have')} "
            f"reached step {final_step:,} and the other {_number(rest)} "
            f"{plural(rest, 'has', 'have')} not, so the finished {plural(done, 'seed')} "
            f"{plural(done, 'gives', 'give')} a first look, but the median over seeds, and with "
            "it the network kept, is not known yet."
        )
    steps = _steps_phrase(last)
    who = f"{_number(len(last)).capitalize()} of the {total} seeds"
    if len(last) == seeds:
        who = f"All {total} seeds" if seeds > 1 else "The seed"
    not_yet = (
        f" and the other {_number(waiting)} {plural(waiting, 'has', 'have')} not been scored yet"
        if waiting
        else ""
    )
    return (
        f"{who} {plural(len(last), 'has', 'have')} been scored up to {steps} "
        f"of {final_step:,}{not_yet}, so the curves show how the seeds learn, but the recipe's "
        f"result, read at step {final_step:,}, is not known yet."
    )
