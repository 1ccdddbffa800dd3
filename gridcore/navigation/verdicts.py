"""Navigation results in words: one plain sentence per question of the navigation chapter, each
worded from the measurements of :mod:`gridcore.navigation.vectors` (goal-vector decoding, the
open-box agents on paired episodes, lesions), so that a verdict is computed and tested, not typed.
"""

from __future__ import annotations

import pandas as pd

from gridcore.formatting import count
from gridcore.navigation.agents import paired_success
from gridcore.navigation.vectors import DISTANCE_BINS_M, INPUTS, Decoding, Navigation


def decoding_verdict(decoding: Decoding, kinds: tuple[str, ...] = ("linear", "MLP")) -> str:
    """Goal-vector decoding in words: the grid units' linear read-out error (cm) beyond and within
    the training distances against an untrained network's and the true place code's, and, when
    ``kinds`` holds an MLP, whether the nonlinear read-out extrapolates better and whether the
    grid code beats the place code through it."""
    err = {(n, k): decoding.mean_error(n, k, beyond=True) for n in INPUTS for k in kinds}
    near = decoding.mean_error("grid", "linear", beyond=False)
    g, p, u = err[("grid", "linear")], err[("place code", "linear")], err[("untrained", "linear")]
    text = (
        f"Beyond the training distances the linear read-out of the grid units errs by {g:.0f} cm "
        f"on average, against {near:.0f} cm within them; the untrained network's by {u:.0f} cm "
        f"and the true place code's by {p:.0f} cm. "
    )
    text += (
        "The trained network's grid units carry the goal vector far better than an untrained "
        "network's code. "
        if g < 0.5 * u
        else "The grid units do not carry the goal vector much better than an untrained code. "
    )
    if p < g:
        text += (
            "But the true place code beats them: with 1 cm place fields it is almost one cell "
            "per position, so a linear read-out of it is a table of cell centres, exact up to the "
            "spacing of the cells and free of the drift that the network's own path integration "
            "adds to every code it makes. "
        )
    else:
        text += "They also beat the true place code. "
    if "MLP" not in kinds:
        return text.rstrip()
    gm, pm = err[("grid", "MLP")], err[("place code", "MLP")]
    worse = sum(err[(n, "MLP")] > err[(n, "linear")] for n in INPUTS)
    text += (
        f"Beyond training the MLP does worse than the linear read-out for {worse} of the "
        f"{len(INPUTS)} inputs (grid units {gm:.0f} cm, place code {pm:.0f} cm): it learns the "
        "goal vector as a function of both codes, not as a difference of two positions, and "
        "nothing makes it extrapolate. "
    )
    return text + (
        "Even so the grid code extrapolates better than the place code through it."
        if gm < pm
        else "Through it the grid code extrapolates no better than the place code: the "
        "paper's advantage of grid codes does not appear here."
    )


def lesion_difference(lesions: pd.DataFrame) -> tuple[int, float, float]:
    """At the largest number of units silenced in ``lesions`` (a table of
    :func:`gridcore.navigation.vectors.lesion_curve`): that number, and the grid lesion's decoding
    error (cm) and success (percentage points) minus the random lesion's."""
    k = int(lesions["units silenced"].max())
    top = lesions[lesions["units silenced"] == k].set_index("lesion")
    d_err = top.loc["grid", "decoding error (cm)"] - top.loc["random", "decoding error (cm)"]
    d_succ = top.loc["grid", "success (%)"] - top.loc["random", "success (%)"]
    return k, float(d_err), float(d_succ)


def lesion_verdict(lesions: pd.DataFrame, decoding: Decoding) -> str:
    """Lesions in words, at the largest number of units silenced in ``lesions`` (a table of
    :func:`gridcore.navigation.vectors.lesion_curve`): the grid lesion's change in decoding error
    (cm) and in success (points) against the random lesion's, called special only when it costs
    more than 5 cm and 5 points; otherwise whether the non-grid units alone decode goal vectors
    about as well as the grid units (within 20 %, all distances)."""
    k, d_err, d_succ = lesion_difference(lesions)
    text = (
        f"With {count(k, 'unit')} silenced, the grid lesion changes the decoding error by {d_err:+.1f} cm "
        f"and the success rate by {d_succ:+.1f} points relative to the random lesion. "
    )
    if d_err > 5 and d_succ < -5:
        return text + "Silencing grid units hurts navigation more than silencing random units."
    text += "Grid units are not special here: a silenced unit costs about as much whichever it is"
    nongrid, grid = decoding.mean_error("non-grid", "linear"), decoding.mean_error("grid", "linear")
    if nongrid < 1.2 * grid:
        return text + (
            f", and the non-grid units alone decode goal vectors as well as the grid units "
            f"({nongrid:.0f} against {grid:.0f} cm, all distances): every bottleneck unit of "
            "this network carries position."
        )
    return text + "."


def open_box_verdict(navigation: Navigation, decoding: Decoding) -> str:
    """The open-box agents in words: the grid agent against the place agent and against the
    random walk on the same episodes (:func:`gridcore.navigation.agents.paired_success`), and what
    that says, with the grid units' linear read-out error (cm) for the nearest goals of
    ``decoding``.
    """
    episodes = len(next(iter(navigation.agents.values())).success)
    place = paired_success(navigation.agents, "grid", "place")
    walk = paired_success(navigation.agents, "grid", "random")
    text = f"On the same {count(episodes, 'episode')}, {place.sentence()}; {walk.sentence()}. "
    if place.word == "beats" and walk.word == "beats":
        return text + "Navigation from the grid code beats both baselines here."
    if walk.word != "beats":
        return text + "The grid agent is no better than a random walk here."
    near_cm, nearest = decoding.table()["grid, linear"].iloc[0], 100 * DISTANCE_BINS_M[1]
    return text + (
        "The grid code navigates far better than chance, but not better than the network's own "
        "place read-out. Both read the same network and inherit the same drift of its path "
        "integration (tens of centimetres within a few seconds for this fast rat, as the "
        "chapter *Path integration* shows), which caps either agent's accuracy near the goal "
        f"(the grid read-out errs by {near_cm:.0f} cm even for goals within {nearest:.0f} cm, "
        "above); and this network's grids are coarse (their scales are comparable to the size "
        "of the box, as *Results: ours against the paper* shows), so they offer no resolution "
        "that its place read-out lacks."
    )


# The two ways a goal-vector read-out is kept from its test pairs (navigation.SPLITS), as the
# linearity table names them.
SPLIT_LABELS = {"distance": "beyond the training distance", "half": "in the unseen half"}


def linearity_table(*decodings: Decoding) -> pd.DataFrame:
    """Mean goal-vector error (cm) of every input (rows) through each read-out, on the test pairs
    each :class:`Decoding` kept from its read-outs (columns: (test, read-out)): pairs beyond the
    training distance for a ``split="distance"`` decoding, every pair for ``split="half"``."""
    columns = {}
    for d in decodings:
        beyond = True if d.split == "distance" else None
        for kind in dict.fromkeys(k for _, k in d.errors_cm):
            columns[(SPLIT_LABELS[d.split], kind)] = {
                name: d.mean_error(name, kind, beyond=beyond) for name in INPUTS
            }
    table = pd.DataFrame(columns).round(1)
    table.index.name = "input"
    table.columns.names = ["test pairs", "read-out"]
    return table


def linearity_verdict(table: pd.DataFrame, a: str = "grid", b: str = "place code") -> str:
    """Whether input ``a`` beats ``b`` (a smaller error) through both read-outs in every test of
    :func:`linearity_table`, or which conclusion flips with the read-out: one plain sentence,
    then the errors it rests on."""
    tests = list(dict.fromkeys(t for t, _ in table.columns))
    flips, same = [], []
    for test in tests:
        part = table[test]
        wins = {kind: bool(part.loc[a, kind] < part.loc[b, kind]) for kind in part.columns}
        figures = ", ".join(
            f"{kind} {part.loc[a, kind]:.0f} against {part.loc[b, kind]:.0f} cm" for kind in wins
        )
        (flips if len(set(wins.values())) > 1 else same).append((test, wins, figures))
    if not flips:
        won = [test for test, w, _ in same if next(iter(w.values()))]
        lost = [test for test, w, _ in same if not next(iter(w.values()))]
        if not lost:
            outcome = f"beat the {b} in every test"
        elif not won:
            outcome = f"do not beat the {b} in any test"
        else:
            outcome = f"beat the {b} {' and '.join(won)} and not {' and '.join(lost)}"
        head = (
            f"The conclusion does not hinge on linearity: the {a} units {outcome}, through the "
            "ridge and the MLP read-out alike"
        )
    else:
        parts = []
        for test, wins, _ in flips:
            by = {w: " and ".join(k for k, won in wins.items() if won == w) for w in (True, False)}
            parts.append(
                f"{test} the {a} units win through the {by[True]} read-out and the {b} through "
                f"the {by[False]}"
            )
        head = f"The conclusion hinges on linearity: {'; '.join(parts)}"
    details = "; ".join(f"{test}: {figures}" for test, _, figures in same + flips)
    return f"{head} ({details})."
