"""The same conditions trained at both time bases: 2 s examples (100 steps of 0.02 s) and the
paper's 15 s examples (100 steps of 0.15 s).

:data:`RERUNS` pairs each condition of a sweep on the 2 s reading with its rerun on 15 s
examples; :func:`time_base_table` sets the two side by side over their finished seeds, each read
at its sweep's last step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridcore import shipped
from gridcore.formatting import count
from gridcore.sweeps.summary import seed_median
from gridcore.sweeps.tables import load


@dataclass(frozen=True)
class Rerun:
    """A question, its condition on 2 s examples and the same condition on 15 s examples."""

    question: str
    before: tuple[str, str] | None  # (sweep, condition) on 2 s examples; None: not run
    after: tuple[str, str]  # (sweep, condition) on 15 s examples


MIN_SEEDS = 3  # no verdict is drawn from fewer seeds
MIN_GRID_SHARE = 0.20  # a condition's grids are compared only with this share of grid-like units
DOG = "DoG 12 cm"  # centre-surround place cells 12 cm wide, 20 000 steps
RERUNS = (
    Rerun(
        "paper's rat, paper's input, quick",
        ("grid-scale", "paper rat"),
        ("paper-rat-15s", "quick"),
    ),
    Rerun(
        "paper's rat, allocentric input, quick",
        None,
        ("long-paths-15s", "allocentric"),
    ),
    Rerun(
        f"paper's rat, {DOG}, allocentric, eps 1e-10",
        ("paper-rat", "DoG 12 cm, 20k steps"),
        ("paper-rat-levers-15s", "eps 1e-10"),
    ),
    Rerun(
        f"paper's rat, {DOG}, paper's input, eps 1e-10",
        None,
        ("paper-rat-levers-15s", "paper input, eps 1e-10"),
    ),
    Rerun(
        f"paper's rat, {DOG}, allocentric, eps 1e-14, 20k steps",
        ("paper-rat", "DoG 12 cm, eps 1e-14, 20k steps"),
        ("paper-rat-levers-15s", "all levers"),
    ),
    *(
        Rerun(
            f"centre-surround targets {w} cm wide",
            ("narrow-dog", f"place_sigma={w / 100:g}"),
            ("narrow-dog-15s", f"place_sigma={w / 100:g}"),
        )
        for w in (6, 8, 10, 14)
    ),
    Rerun("two ensembles, split read-out", ("modules", "sliced"), ("modules-15s", "sliced")),
    Rerun("two ensembles, shared read-out", ("modules", "shared"), ("modules-15s", "shared")),
)
COLUMNS = {
    "grid_fraction_037": ("grid-like units (%)", 100, 1),
    "median_scale_m": ("grid scale (m)", 1, 2),
    "position_error_cm": ("error, training paths (cm)", 1, 0),
    "position_error_15s_cm": ("error after 15 s (cm)", 1, 0),
}


def seeds_of(sweep: str, condition: str) -> pd.DataFrame:
    """The finished seeds of ``condition`` in the shipped ``sweep`` (none if it is missing)."""
    if sweep not in shipped.sweeps():  # not run yet
        return pd.DataFrame()
    table = load(shipped.sweep(sweep))
    return table[(table["condition"] == condition) & (table["status"] == "done")]


def _cell(seeds: pd.DataFrame, column: str, scale: float, digits: int) -> str:
    """The median of ``column`` over ``seeds``, scaled and written out; ``–`` without one."""
    value = seed_median(seeds, column)
    return f"{scale * value:.{digits}f}" if np.isfinite(value) else "–"


def time_base_table(reruns: tuple[Rerun, ...] = RERUNS) -> pd.DataFrame:
    """One row per question and time base: seeds, then the medians of :data:`COLUMNS` (``–``
    where no seed has finished); questions with no finished seed at either time base are left
    out."""
    rows = []
    for r in reruns:
        both = (("2 s", _seeds(r.before)), ("15 s", _seeds(r.after)))
        if all(seeds.empty for _, seeds in both):
            continue  # neither run yet
        for label, seeds in both:
            row = {"setting": r.question, "examples": label, "seeds": len(seeds)}
            for column, (name, scale, digits) in COLUMNS.items():
                row[name] = _cell(seeds, column, scale, digits)
            rows.append(row)
    columns = ["setting", "examples", "seeds", *(name for name, _, _ in COLUMNS.values())]
    return pd.DataFrame(rows, columns=columns).set_index(["setting", "examples"])


def _seeds(pair: tuple[str, str] | None) -> pd.DataFrame:
    return seeds_of(*pair) if pair else pd.DataFrame()


def levers_answer() -> str:
    """Does the paper's rat need the allocentric input, no head-direction cells and
    epsilon 1e-14, now that it trains on 15 s examples?"""
    plain = _seeds(RERUNS[0].after)
    levers = _seeds(next(r for r in RERUNS if r.after[1] == "all levers").after)
    if plain.empty:
        return "Not measured yet."
    share = 100 * seed_median(plain, "grid_fraction_037")
    text = (
        f"{'No' if share >= 100 * MIN_GRID_SHARE else 'Yes'}: with its own input and DeepMind's epsilon, `quick` "
        f"on 15 s examples gives {share:.1f} % grid-like units ({len(plain)} seeds)"
    )
    if not levers.empty:
        text += (
            f", against {100 * seed_median(levers, 'grid_fraction_037'):.1f} % with all of them "
            f"and 12 cm centre-surround targets trained for 20 000 steps ({len(levers)} seeds)"
        )
    return text + "."


def scale_answer() -> str:
    """What grid scale does the paper's rat give, at each time base?"""
    before, after = _seeds(RERUNS[0].before), _seeds(RERUNS[0].after)
    if after.empty:
        return "Not measured yet."
    now, then = seed_median(after, "median_scale_m"), seed_median(before, "median_scale_m")
    text = f"A median of {now:.2f} m on 15 s examples against {then:.2f} m on 2 s examples"
    return text + (": the time base hardly moves it." if abs(now - then) < 0.15 else ".")


def error_answer() -> str:
    """How far off is the paper's rat's network after 15 s, against an untrained one?"""
    before, after = _seeds(RERUNS[0].before), _seeds(RERUNS[0].after)
    if after.empty:
        return "Not measured yet."
    return (
        f"{seed_median(after, 'position_error_15s_cm'):.0f} cm after 15 s on 15 s examples (untrained "
        f"{seed_median(after, 'untrained_error_15s_cm'):.0f} cm), against "
        f"{seed_median(before, 'position_error_15s_cm'):.0f} cm on 2 s examples (untrained "
        f"{seed_median(before, 'untrained_error_15s_cm'):.0f} cm)."
    )


def dog_answer() -> str:
    """Do narrow centre-surround targets still give the smallest grids on 15 s examples? Only
    widths with at least :data:`MIN_SEEDS` seeds on 15 s examples get a verdict; the others are
    named with their seeds."""
    rows = [
        (r.question, _seeds(r.before), _seeds(r.after))
        for r in RERUNS
        if r.question.startswith("centre-surround")
    ]
    few = [
        f"{q.removeprefix('centre-surround targets ')}: {count(len(a), 'seed')}, no verdict"
        for q, _, a in rows
        if 0 < len(a) < MIN_SEEDS
    ]
    note = f" {'; '.join(few)}." if few else ""
    done = [(q, b, a) for q, b, a in rows if len(a) >= MIN_SEEDS]
    if not done:
        return "Not measured yet." + note
    enough = [x for x in done if seed_median(x[2], "grid_fraction_037") >= MIN_GRID_SHARE]
    if not enough:
        best = max(100 * seed_median(a, "grid_fraction_037") for _, _, a in done)
        if len(done) == 1:
            width = done[0][0].removeprefix("centre-surround targets ")
            return (
                f"The only width with {MIN_SEEDS} or more seeds on 15 s examples ({width}) keeps "
                f"{best:.1f} % grid-like units, under the {100 * MIN_GRID_SHARE:.0f} % needed to "
                f"compare grids.{note}"
            )
        return (
            f"None of the widths with {MIN_SEEDS} or more seeds on 15 s examples keeps "
            f"{100 * MIN_GRID_SHARE:.0f} % grid-like units (at most {best:.1f} %), so there are no "
            f"grids to compare.{note}"
        )
    q, b, a = min(enough, key=lambda x: seed_median(x[2], "median_scale_m"))
    return (
        f"Their smallest median scale on 15 s examples is {seed_median(a, 'median_scale_m'):.2f} m "
        f"({q.removeprefix('centre-surround targets ')}, "
        f"{100 * seed_median(a, 'grid_fraction_037'):.1f} % grid-like units), against "
        f"{seed_median(b, 'median_scale_m'):.2f} m for the same width on 2 s examples ({len(a)} and "
        f"{count(len(b), 'seed')}).{note}"
    )
