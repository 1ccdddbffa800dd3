"""The headline: how far gridcore reproduces the paper, read from shipped artefacts only.

Two things are built here, for the book's landing page and the README alike, so that the two
cannot drift apart:

* :func:`table`: the share of grid-like bottleneck units over ten seeds for each CPU preset,
  read at the preset's last step from its shipped sweep (``experiments/headline-*``), beside the
  paper's 25.2 %;
* :func:`claims`: one line per claim of the paper (grid-like units, grid scale and modules,
  path integration over 15 s, vector navigation), each with the paper's figure, ours, and a
  verdict, from the shipped sweep tables.

Nothing here trains or scores a network: every number comes from a table in ``experiments/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridcore import paper, shipped
from gridcore.analysis.comparison import finished_trials
from gridcore.errors import GridcoreError
from gridcore.files import write_text_atomic
from gridcore.formatting import count, percent
from gridcore.navigation import rl_results
from gridcore.sweeps import load, spread

# The CPU presets whose ten-seed sweeps make the headline, in the order the book shows them.
HEADLINE_SWEEPS = {
    "fast": "headline-fast",
    "quick": "headline-quick",
    "quick-wide": "headline-quick-wide",
}
# The settings that the other claims are read from: (sweep, condition).
# The smallest grids: the width of centre-surround targets (a condition of this sweep) with the
# smallest median grid scale among those with a median of at least SMALLEST_GRIDS_SHARE
# grid-like units.
SMALLEST_GRIDS = "narrow-dog"
SMALLEST_GRIDS_SHARE = 0.20
AGENTS = "rl-navigation"  # the learnt agents' tables (experiments/rl_navigation.py)
PAPER_INPUT_15S = ("long-paths", "egocentric")
BEST_15S = ("long-paths", "allocentric, curriculum")
# A seed "reaches the paper" when its share is at least the paper's 25.2 %, rounded to 25 %.
LEVEL = round(paper.GRID_FRACTION, 2)
CHAPTERS = {
    "grid-like units": "book/10_many_seeds.ipynb",
    "grid scale and modules": "book/15_grid_scale.ipynb",
    "path integration over 15 s": "book/15_grid_scale.ipynb",
    "vector-based navigation": "book/11_navigation.ipynb",
}


@dataclass(frozen=True)
class Claim:
    """One claim of the paper: its figure, ours (from a shipped table) and the verdict."""

    claim: str
    paper: str
    ours: str
    verdict: str  # "reproduced", "partly", or "not reproduced"
    chapter: str  # the book page that shows it, relative to the repository root


def _condition(sweep: str, condition: str) -> pd.DataFrame:
    """The finished seeds of ``condition`` in the shipped sweep ``sweep``."""
    return finished_trials(load(shipped.sweep(sweep)), condition)


def _median(df: pd.DataFrame, column: str) -> float:
    return float(np.nanmedian(df[column].to_numpy(dtype=float)))


def smallest_grids() -> tuple[float, pd.DataFrame]:
    """The place-cell width (m) of :data:`SMALLEST_GRIDS` whose finished seeds have the smallest
    median grid scale among the widths with a median grid-like share (DeepMind's scorer) of at
    least :data:`SMALLEST_GRIDS_SHARE`, and those seeds."""
    table = load(shipped.sweep(SMALLEST_GRIDS))
    best: tuple[float, pd.DataFrame] | None = None
    for condition in dict.fromkeys(table["condition"]):
        seeds = finished_trials(table, condition)
        if len(seeds) == 0 or _median(seeds, "grid_fraction_037") < SMALLEST_GRIDS_SHARE:
            continue
        if best is None or _median(seeds, "median_scale_m") < _median(best[1], "median_scale_m"):
            best = (float(seeds["place_sigma"].iloc[0]), seeds)
    if best is None:
        raise GridcoreError(
            f"no width of {SMALLEST_GRIDS} has {percent(SMALLEST_GRIDS_SHARE)} grid units"
        )
    return best


def presets() -> pd.DataFrame:
    """Per headline preset (index): ``seeds``, ``step`` (where every seed is read), the share
    of units above 0.37 (DeepMind's scorer) as ``median``, ``min``, ``max`` (fractions), and
    ``at_paper``: how many seeds reach the paper's 25 % at that step."""
    rows = {}
    for preset, sweep in HEADLINE_SWEEPS.items():
        df = load(shipped.sweep(sweep))
        s = spread(df, "grid_fraction_037", level=LEVEL).iloc[0]
        done = df[df["status"] == "done"]
        rows[preset] = {
            "seeds": int(s["seeds"]),
            "step": int(done["step"].max()),
            "median": float(s["median"]),
            "min": float(s["min"]),
            "max": float(s["max"]),
            "at_paper": int(round(s[f"share >= {LEVEL:g}"] * s["seeds"])),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("preset")


def table() -> pd.DataFrame:
    """:func:`presets` for reading: one row per preset, percents, the paper's figure beside."""
    p = presets()
    return pd.DataFrame(
        {
            "steps": [f"{s:,}" for s in p["step"]],
            "grid-like units, median (range)": [
                f"{100 * r['median']:.1f} % ({100 * r['min']:.1f}–{100 * r['max']:.1f} %)"
                for _, r in p.iterrows()
            ],
            f"seeds ≥ {100 * LEVEL:.0f} %": [
                f"{a} of {n}" for a, n in zip(p["at_paper"], p["seeds"], strict=True)
            ],
            "paper": percent(paper.GRID_FRACTION),
        },
        index=p.index,
    )


def markdown_table() -> str:
    """:func:`table` as a Markdown table (the README's headline), presets as code."""
    t = table()
    t.index = [f"`{name}`" for name in t.index]
    return t.rename_axis("preset").to_markdown(colalign=["left"] * (len(t.columns) + 1))


def _modules_phrase(modules: int | None) -> str:
    if modules is None:
        return ""
    if modules <= 1:
        return "; a single scale cluster in each shipped network"
    return f"; at most {modules} scale clusters in a shipped network"


def claims(modules: int | None = None) -> list[Claim]:
    """The paper's four claims, each against the shipped tables. ``modules``: the number of
    scale clusters found in the shipped networks, where the caller has scored them (the tables
    hold each network's median scale only)."""
    fast = presets().loc["fast"]
    low, high = paper.GRID_SCALE_RANGE_M
    fast_sweep = load(shipped.sweep(HEADLINE_SWEEPS["fast"]))
    scales_fast = float(spread(fast_sweep, "median_scale_m").iloc[0]["median"])
    sigma, smallest = smallest_grids()
    ego, best = _condition(*PAPER_INPUT_15S), _condition(*BEST_15S)
    centres = ", ".join(f"{100 * m:.0f}" for m in paper.MODULE_SCALES_M)
    return [
        Claim(
            "grid-like units",
            f"{percent(paper.GRID_FRACTION)} of the bottleneck units",
            f"{percent(fast['median'])} (median of {count(fast['seeds'], 'seed')} of `fast`, "
            f"{percent(fast['min'])} – {percent(fast['max'])})",
            "reproduced",
            CHAPTERS["grid-like units"],
        ),
        Claim(
            "grid scale and modules",
            f"{100 * low:.0f} – {100 * high:.0f} cm, in modules near {centres} cm",
            f"{scales_fast:.2f} m (`fast`); {_median(smallest, 'median_scale_m'):.2f} m at best "
            f"with {percent(_median(smallest, 'grid_fraction_037'))} grid-like units "
            f"(centre-surround targets {100 * sigma:.0f} cm wide on the paper's rat, "
            f"{count(len(smallest), 'seed')})" + _modules_phrase(modules),
            # Grids inside the paper's range make it "partly"; modules are not counted here.
            "partly" if low <= _median(smallest, "median_scale_m") <= high else "not reproduced",
            CHAPTERS["grid scale and modules"],
        ),
        Claim(
            "path integration over 15 s",
            f"{paper.PATH_ERROR_15S_CM['trained']:.0f} cm "
            f"(untrained {paper.PATH_ERROR_15S_CM['untrained']:.0f} cm)",
            f"{_median(best, 'position_error_15s_cm'):.1f} cm with (vx, vy) input and a "
            f"curriculum to 15 s paths (untrained {_median(best, 'untrained_error_15s_cm'):.0f}"
            f" cm, {count(len(best), 'seed')}); {_median(ego, 'position_error_15s_cm'):.0f} cm with the "
            "paper's input and 2 s paths",
            "partly",
            CHAPTERS["path integration over 15 s"],
        ),
        navigation_claim(),
    ]


def navigation_claim() -> Claim:
    """Vector navigation, read from the learnt agents of the first network in :data:`AGENTS`:
    grid against place codes on held-out goals, and, where the arena agents ran, the share of
    paths that took the new door first; the verdict is :func:`rl_results.verdict`'s for that
    network, fixed before the results. Where other networks ran, every test on every network is
    counted too, so that a win on one of them is read beside how many tests were made."""
    t = rl_results.load_agent_tables(shipped.agent_experiment(AGENTS))
    net = t.networks[0]
    held = rl_results.compare(t, net, "held-out goals")
    ours = f"PPO agents on the frozen `{net}`, {held.phrase()}"
    door = rl_results.compare(t, net, "shortcut", measure="door_first_rate")
    if door.outcome != "missing":
        ours += f"; new door taken first by {door.phrase().removeprefix('in the shortcut test ')}"
    if len(t.networks) > 1:
        ours += f"; {rl_results.tally_phrase(rl_results.tally(t))}"
    return Claim(
        "vector-based navigation",
        "a deep-RL agent with grid units navigates to held-out goals and takes shortcuts; "
        "place units do worse",
        ours,
        rl_results.verdict(t, net),
        CHAPTERS["vector-based navigation"],
    )


def claims_markdown(modules: int | None = None, in_book: bool = False) -> str:
    """:func:`claims` as a Markdown table whose verdicts link to their chapters, from the
    repository root (the README) or from a page of the book (``in_book``)."""
    rows = {}
    for c in claims(modules):
        page = c.chapter.removeprefix("book/") if in_book else c.chapter
        rows[c.claim] = {"paper": c.paper, "gridcore": c.ours, "verdict": f"[{c.verdict}]({page})"}
    t = pd.DataFrame.from_dict(rows, orient="index").rename_axis("claim")
    return t.to_markdown(colalign=["left"] * (len(t.columns) + 1))


# --- the README's generated block ----------------------------------------------------------------
BEGIN = "<!-- headline: generated from the shipped tables by `python -m gridcore headline --readme README.md` -->"
END = "<!-- end of headline -->"


def readme_block() -> str:
    """The README's headline: the ten-seed table and the four claims, between the markers."""
    return "\n\n".join([BEGIN, markdown_table(), claims_markdown(), END])


def update_readme(path: str | Path, check: bool = False) -> bool:
    """Rewrite the headline block of the README at ``path`` (atomically) from the shipped tables;
    with ``check``, only report. Returns whether the block was stale."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise GridcoreError(f"{path}: no headline block (a line {BEGIN!r} ... {END!r})")
    new = text[:start] + readme_block() + text[end + len(END) :]
    if new != text and not check:
        write_text_atomic(path, new)
    return new != text
