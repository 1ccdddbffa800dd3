"""The headline: how far gridcore reproduces the paper, read from shipped artefacts only.

Two things are built here, for the book's landing page and the README alike, so that the two
cannot drift apart:

* :func:`table`: the share of grid-like bottleneck units over ten seeds for each CPU preset,
  read at the preset's last step from its shipped sweep (``experiments/headline-*``), beside the
  paper's 25.2 %, and the paper's own recipe once all its seeds have reached their last step;
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
from gridcore.analysis import paper_recipe
from gridcore.analysis.comparison import finished_trials
from gridcore.errors import GridcoreError
from gridcore.files import write_text_atomic
from gridcore.formatting import count, join, percent
from gridcore.navigation import return_results
from gridcore.net.config import get_preset
from gridcore.sweeps import load, load_spec, seed_median, spread

# The CPU presets whose ten-seed sweeps make the headline, in the order the book shows them.
HEADLINE_SWEEPS = {
    "fast": "headline-fast",
    "quick": "headline-quick",
    "quick-wide": "headline-quick-wide",
}
# The settings that the other claims are read from: (sweep, condition).
# "Smallest" and "best" are chosen once, here, among the conditions of every shipped sweep whose
# networks learnt the task (see :func:`learnt_error_limit_cm`), with at least SMALLEST_GRIDS_SEEDS
# finished seeds and a median of at least SMALLEST_GRIDS_SHARE grid-like units.
SMALLEST_GRIDS_SHARE = 0.20
SMALLEST_GRIDS_SEEDS = 3
# A network has learnt the task when its median position error on its training paths is at most
# this fraction of the error of always guessing the box's centre.
LEARNT_FRACTION = 0.5
# Plain words for the sweeps whose conditions can be the smallest grids.
SWEEP_WORDS = {
    "narrow-dog": "centre-surround targets on the paper's rat, 2 s examples",
    "narrow-dog-15s": "centre-surround targets on the paper's rat, 15 s examples",
    "modules": "two place ensembles with a split read-out, engineered",
    "modules-15s": "two place ensembles with a split read-out, engineered, 15 s examples",
    "modules-widths": "two place ensembles with a split read-out, engineered",
    "paper-rat": "centre-surround targets on the paper's rat, 2 s examples",
}
RETURNS = "vector-navigation-box"  # the find-then-return agents (experiments/vector_navigation.py)
# Path integration over 15 s at the paper's time base: its rat, its input, `quick`.
TIME_BASE_15S = "paper-rat-15s"
# The paper's own recipe (`paper`) at its time base, over seeds; read at its last step.
RECIPE_SWEEP = "paper-15s"
# A seed "reaches the paper" when its share is at least the paper's 25.2 %, rounded to 25 %.
LEVEL = round(paper.GRID_FRACTION, 2)
CHAPTERS = {
    "grid-like units": "book/10_many_seeds.ipynb",
    "grid scale and modules": "book/15_grid_scale.ipynb",
    "path integration over 15 s": "book/07_path_integration.ipynb",
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


def centre_guess_error_cm(box_m: float = paper.BOX_SIZE_M) -> float:
    """Mean distance (cm) from a uniform position in a square box of side ``box_m`` to its
    centre: the error of a network that always guesses the middle."""
    root2 = np.sqrt(2.0)
    return float(100 * box_m * (root2 + np.log(1 + root2)) / 6)


def learnt_error_limit_cm() -> float:
    """The largest median position error (cm) of networks that learnt the task."""
    return LEARNT_FRACTION * centre_guess_error_cm()


@dataclass(frozen=True)
class Condition:
    """One condition of a shipped sweep and its finished seeds."""

    sweep: str
    condition: str
    seeds: pd.DataFrame

    def median(self, column: str) -> float:
        return seed_median(self.seeds, column)

    @property
    def words(self) -> str:
        """The condition in plain words, with its sweep and seed count."""
        what = SWEEP_WORDS.get(self.sweep, f"`{self.sweep}`")
        condition = self.condition
        if condition.startswith("place_sigma="):
            condition = f"{100 * float(condition.split('=')[1]):.0f} cm wide"
        return f"{what}, {condition}, {count(len(self.seeds), 'seed')}"


def learnt_conditions() -> list[Condition]:
    """Every condition of every shipped sweep with at least :data:`SMALLEST_GRIDS_SEEDS` finished
    seeds whose median position error is within :func:`learnt_error_limit_cm`."""
    limit, found = learnt_error_limit_cm(), []
    for name in shipped.sweeps():
        table = load(shipped.sweep(name))
        if "median_scale_m" not in table:
            continue
        done = table[table["status"] == "done"]
        for condition in dict.fromkeys(done["condition"]):
            seeds = done[done["condition"] == condition]
            if (
                len(seeds) >= SMALLEST_GRIDS_SEEDS
                and seed_median(seeds, "position_error_cm") <= limit
            ):
                found.append(Condition(name, str(condition), seeds))
    return found


def smallest_grids() -> Condition:
    """The learnt condition (:func:`learnt_conditions`) with a median grid-like share of at least
    :data:`SMALLEST_GRIDS_SHARE` and the smallest median grid scale."""
    enough = [
        c for c in learnt_conditions() if c.median("grid_fraction_037") >= SMALLEST_GRIDS_SHARE
    ]
    if not enough:
        raise GridcoreError(f"no learnt condition has {percent(SMALLEST_GRIDS_SHARE)} grid units")
    return min(enough, key=lambda c: c.median("median_scale_m"))


def smallest_grids_rule() -> str:
    """How :func:`smallest_grids` is chosen, in words: the error limit (cm) of a network that
    learnt the task and the least median share of grid-like units."""
    part = "half" if LEARNT_FRACTION == 0.5 else f"{LEARNT_FRACTION:g} times"
    return (
        "the smallest median scale among settings that learnt the task (median error at most "
        f"{learnt_error_limit_cm():.0f} cm, {part} that of guessing the box's centre) with at "
        f"least {100 * SMALLEST_GRIDS_SHARE:.0f} % grid-like units"
    )


def path_integration_15s() -> Condition:
    """The seeds of :data:`TIME_BASE_15S`: the paper's rat and input on 15 s examples."""
    table = load(shipped.sweep(TIME_BASE_15S))
    condition = str(table["condition"].iloc[0])
    return Condition(TIME_BASE_15S, condition, finished_trials(table, condition))


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


ARTICLE = paper_recipe.ARTICLE  # the column of the article's own figure
SHARE = "grid-like units, median (range)"
AT_LEVEL = f"seeds ≥ {100 * LEVEL:.0f} %"


def table() -> pd.DataFrame:
    """:func:`presets` for reading: one row per preset, percents, the article's figure beside;
    the paper's recipe last (:func:`recipe_row`)."""
    p = presets()
    t = pd.DataFrame(
        {
            "steps": [f"{s:,}" for s in p["step"]],
            SHARE: [
                f"{100 * r['median']:.1f} % ({100 * r['min']:.1f}–{100 * r['max']:.1f} %)"
                for _, r in p.iterrows()
            ],
            AT_LEVEL: [f"{a} of {n}" for a, n in zip(p["at_paper"], p["seeds"], strict=True)],
            ARTICLE: percent(paper.GRID_FRACTION),
        },
        index=p.index,
    )
    recipe = pd.DataFrame([recipe_row()], index=pd.Index(["paper"], name="preset"))
    return pd.concat([t, recipe])


def recipe_history() -> tuple[pd.DataFrame, int, int]:
    """The training log of the paper's recipe (:data:`RECIPE_SWEEP`), as
    :func:`paper_recipe.histories` gives it, with its number of seeds and its last step."""
    folder = shipped.sweep(RECIPE_SWEEP)
    seeds = len(load_spec(folder / "spec.yaml").trials(folder))
    return paper_recipe.histories(folder), seeds, get_preset("paper").steps


def recipe_finished() -> bool:
    """Whether every seed of the paper's recipe has reached its last step."""
    history, seeds, final = recipe_history()
    done = load(shipped.sweep(RECIPE_SWEEP))
    done = done[(done["status"] == "done") & (done["step"] == final)]
    return paper_recipe.finished(history, seeds, final) and len(done) == seeds


def recipe_row() -> dict[str, str]:
    """The paper's recipe (:data:`RECIPE_SWEEP`) as a row of :func:`table`: over its seeds at
    its last step once all have reached it (the rule fixed before training); until then, how
    far it has trained (:func:`paper_recipe.training_note`) and a dash for the share."""
    history, seeds, final = recipe_history()
    if not recipe_finished():
        note = paper_recipe.training_note(history, seeds, final)
        return {"steps": note, SHARE: "–", AT_LEVEL: "–", ARTICLE: percent(paper.GRID_FRACTION)}
    done = load(shipped.sweep(RECIPE_SWEEP))
    values = done[(done["status"] == "done") & (done["step"] == final)]["grid_fraction_037"]
    values = values.to_numpy(float)
    return {
        "steps": f"{final:,}",
        SHARE: f"{100 * np.median(values):.1f} % ({100 * values.min():.1f}–"
        f"{100 * values.max():.1f} %)",
        AT_LEVEL: f"{int((values >= LEVEL).sum())} of {len(values)}",
        ARTICLE: percent(paper.GRID_FRACTION),
    }


def recipe_so_far() -> str:
    """The paper's recipe in a clause for the grid-units claim: its seeds at the last step
    (scored during training, on the sweep's scoring paths) while the others still train; empty
    when none has finished or all have (then :func:`recipe_row` gives the result)."""
    history, seeds, final = recipe_history()
    at_end = paper_recipe.scored_at(history, final)["grid_fraction_037"].to_numpy(float)
    if not len(at_end) or recipe_finished():
        return ""
    n = len(at_end)
    return (
        f"; the paper's own recipe: {join(percent(v) for v in at_end)} in the {n} of its {seeds} "
        f"seeds that {'has' if n == 1 else 'have'} reached step {final:,} "
        f"({'the other still trains' if seeds - n == 1 else 'the others still train'})"
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
        return " Each shipped network has a single scale cluster."
    return (
        f" No shipped network has more than {modules} scale clusters, and the one that has them"
        " was built for two: two place-cell widths, each read out from its own half of the"
        " bottleneck."
    )


def claims(modules: int | None = None) -> list[Claim]:
    """The paper's four claims, each against the shipped tables. ``modules``: the number of
    scale clusters found in the shipped networks, where the caller has scored them (the tables
    hold each network's median scale only). The smallest grids are given with the rule that
    chooses them (:func:`smallest_grids_rule`)."""
    fast = presets().loc["fast"]
    low, high = paper.GRID_SCALE_RANGE_M
    fast_sweep = load(shipped.sweep(HEADLINE_SWEEPS["fast"]))
    scales_fast = float(spread(fast_sweep, "median_scale_m").iloc[0]["median"])
    smallest, pi = smallest_grids(), path_integration_15s()
    small_m = smallest.median("median_scale_m")
    centres = ", ".join(f"{100 * m:.0f}" for m in paper.MODULE_SCALES_M)
    trained, untrained = (pi.median(c) for c in ("position_error_15s_cm", "untrained_error_15s_cm"))
    return [
        Claim(
            "grid-like units",
            f"{percent(paper.GRID_FRACTION)} of the bottleneck units",
            f"{percent(fast['median'])} (median of {count(fast['seeds'], 'seed')} of `fast`, "
            f"{percent(fast['min'])} – {percent(fast['max'])})" + recipe_so_far(),
            "reproduced",
            CHAPTERS["grid-like units"],
        ),
        Claim(
            "grid scale and modules",
            f"{100 * low:.0f} – {100 * high:.0f} cm, in modules near {centres} cm",
            f"{scales_fast:.2f} m (median of {count(fast['seeds'], 'seed')} of `fast`). The "
            f"smallest grids, {small_m:.2f} m, come with {smallest.words}, and "
            f"{percent(smallest.median('grid_fraction_037'))} grid-like units: "
            f"{smallest_grids_rule()}." + _modules_phrase(modules),
            # Grids inside the paper's range make it "partly"; modules are not counted here.
            "partly" if low <= small_m <= high else "not reproduced",
            CHAPTERS["grid scale and modules"],
        ),
        Claim(
            "path integration over 15 s",
            f"{paper.PATH_ERROR_15S_CM['trained']:.0f} cm "
            f"(untrained {paper.PATH_ERROR_15S_CM['untrained']:.0f} cm)",
            f"{trained:.0f} cm (untrained {untrained:.0f} cm): the paper's rat and input on 15 s "
            f"examples, `quick`, {count(len(pi.seeds), 'seed')}; " + PATH_INTEGRATION_RULE,
            path_integration_verdict(trained, untrained),
            CHAPTERS["path integration over 15 s"],
        ),
        navigation_claim(),
    ]


#: Path integration over 15 s is reproduced within this many times the paper's trained error,
#: and partly reproduced under this share of the untrained network's error.
PI_REPRODUCED_TIMES, PI_PARTLY_SHARE = 2.0, 0.5
_TIMES_WORDS = {2.0: "twice", 3.0: "three times"}
_SHARE_WORDS = {0.5: "half", 0.25: "a quarter"}

PATH_INTEGRATION_RULE = (
    f"an error up to {_TIMES_WORDS.get(PI_REPRODUCED_TIMES, f'{PI_REPRODUCED_TIMES:g} times')} "
    f"the paper's counts as reproduced, and one under "
    f"{_SHARE_WORDS.get(PI_PARTLY_SHARE, f'{PI_PARTLY_SHARE:g} of')} the untrained network's as partly"
)


def path_integration_verdict(trained_cm: float, untrained_cm: float) -> str:
    """Reproduced: within :data:`PI_REPRODUCED_TIMES` the paper's trained error (cm); partly:
    under :data:`PI_PARTLY_SHARE` of the untrained network's; otherwise not reproduced."""
    if trained_cm <= PI_REPRODUCED_TIMES * paper.PATH_ERROR_15S_CM["trained"]:
        return "reproduced"
    return "partly" if trained_cm <= PI_PARTLY_SHARE * untrained_cm else "not reproduced"


def navigation_claim() -> Claim:
    """Vector navigation, read from the find-then-return agents of :data:`RETURNS`: grid against
    place agents in goals per held-out episode, with the permutation test and the smallest
    difference the seeds could detect; the verdict is :func:`return_results.verdict`'s."""
    results = return_results.read_tables(shipped.agent_experiment(RETURNS))["navigation"]
    result = return_results.primary(results)
    grid, place = result.grid, result.place
    ours = (
        f"PPO agents on find-then-return episodes in the open box, seeing the anchored "
        f"network's code: {np.median(grid):.2f} goals per episode with the grid code "
        f"({grid.min():.2f}–{grid.max():.2f}, {count(len(grid), 'seed')}) against "
        f"{np.median(place):.2f} with the place code ({place.min():.2f}–{place.max():.2f}, "
        f"{count(len(place), 'seed')}); p = {result.p:.2f}, and a difference smaller than "
        f"{result.detectable:.2f} goals per episode would go unseen"
    )
    effects = [
        return_results.goal_code_effect(results, v)
        for v in (return_results.GRID, return_results.PLACE)
    ]
    raised, tested = sum(e[0] for e in effects), sum(e[1] for e in effects)
    if tested and raised == tested:
        ours += (
            "; every one of these agents reached more goals with its goal code zeroed, so they do"
            " not use it, and the test does not yet reach vector-based navigation"
        )
    return Claim(
        "vector-based navigation",
        "a deep-RL agent with grid units navigates to held-out goals and takes shortcuts; "
        "place units do worse",
        ours,
        return_results.verdict(result),
        CHAPTERS["vector-based navigation"],
    )


def claims_markdown(modules: int | None = None, in_book: bool = False) -> str:
    """:func:`claims` as a Markdown table whose verdicts link to their chapters, from the
    repository root (the README) or from a page of the book (``in_book``)."""
    rows = {}
    for c in claims(modules):
        page = c.chapter.removeprefix("book/") if in_book else c.chapter
        rows[c.claim] = {ARTICLE: c.paper, "gridcore": c.ours, "verdict": f"[{c.verdict}]({page})"}
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
