"""gridcore.navigation.verdicts: the navigation chapter's answers, worded from measurements."""

import re

import numpy as np
import pandas as pd
import pytest

from gridcore.navigation import vectors as nv
from gridcore.navigation import verdicts
from gridcore.navigation.agents import AgentResult


def _agents(**wins: list[int]) -> dict[str, AgentResult]:
    """Agents that won the episodes marked 1, each path the straight line."""
    return {
        name: AgentResult(np.asarray(w, bool), np.zeros(len(w)), np.ones(len(w)), np.ones(len(w)))
        for name, w in wins.items()
    }


def _decoding(near_cm: float) -> nv.Decoding:
    """The grid units' linear read-out erring by ``near_cm`` for goals closer than 25 cm."""
    distances = np.array([0.1, 0.2, 0.6, 1.2])
    errors = np.array([near_cm, near_cm, 50.0, 80.0])
    return nv.Decoding({("grid", "linear"): errors}, distances, 1.0, {"grid": 3})


@pytest.mark.parametrize(
    ("place", "walk", "ending"),
    [
        ([0] * 20, [0] * 20, "Navigation from the grid code beats both baselines here."),
        ([1] * 20, [0] * 20, "the grid read-out errs by 12 cm even for goals within 25 cm"),
        ([1] * 20, [1] * 20, "The grid agent is no better than a random walk here."),
    ],
)
def test_the_open_box_verdict_follows_the_paired_tests(place, walk, ending):
    agents = _agents(grid=[1] * 20, place=place, random=walk, oracle=[1] * 20)
    text = verdicts.open_box_verdict(nv.Navigation(agents, 5, 250), _decoding(12.3))
    assert text.startswith("On the same 20 episodes, the grid agent (100 %) ")
    assert ending in text
    against_place = "beats" if not any(place) else "does not differ significantly from"
    assert f"the grid agent (100 %) {against_place} the place agent" in text
    # Other chapters are named by their titles, never by a number that renumbering outdates.
    assert not re.search(r"\b(ch\.|chapter) ?\d", text), text


def _all_inputs(grid_beyond: float, place_beyond: float, untrained_beyond: float, mlp: bool):
    """A decoding with every input: near goals (0.1 m) at 10 cm error, far ones (1.2 m) at the
    given errors; the MLP errs twice as much beyond training as the linear read-out."""
    distances = np.array([0.1, 1.2])
    far = {"grid": grid_beyond, "place code": place_beyond, "untrained": untrained_beyond}
    errors = {}
    for name in nv.INPUTS:
        linear = np.array([10.0, far.get(name, 40.0)])
        errors[(name, "linear")] = linear
        if mlp:
            errors[(name, "MLP")] = linear * np.array([1.0, 2.0])
    return nv.Decoding(errors, distances, 1.0, {"grid": 3})


def test_the_decoding_verdict_compares_grid_untrained_and_place_codes():
    text = verdicts.decoding_verdict(_all_inputs(30.0, 50.0, 90.0, mlp=False), ("linear",))
    assert text.startswith("Beyond the training distances the linear read-out of the grid units "
                           "errs by 30 cm on average, against 10 cm within them")  # fmt: skip
    assert "far better than an untrained network's code" in text
    assert text.endswith("They also beat the true place code.")
    worse = verdicts.decoding_verdict(_all_inputs(60.0, 20.0, 70.0, mlp=False), ("linear",))
    assert "do not carry the goal vector much better" in worse and "place code beats them" in worse


def test_the_decoding_verdict_says_how_the_mlp_extrapolates():
    text = verdicts.decoding_verdict(_all_inputs(30.0, 50.0, 90.0, mlp=True))
    n = len(nv.INPUTS)
    assert f"the MLP does worse than the linear read-out for {n} of the {n} inputs" in text
    assert "(grid units 60 cm, place code 100 cm)" in text
    assert text.endswith(
        "Even so the grid code extrapolates better than the place code through it."
    )
    flipped = verdicts.decoding_verdict(_all_inputs(60.0, 20.0, 90.0, mlp=True))
    assert flipped.endswith("the paper's advantage of grid codes does not appear here.")


def _lesions(grid_err: float, grid_succ: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "units silenced": [0, 0, 8, 8, 16, 16],
            "lesion": ["grid", "random"] * 3,
            "decoding error (cm)": [20.0, 20.0, 22.0, 21.0, grid_err, 23.0],
            "success (%)": [60.0, 60.0, 58.0, 59.0, grid_succ, 55.0],
        }
    )


def test_the_lesion_verdict_reads_the_largest_lesion():
    assert verdicts.lesion_difference(_lesions(35.0, 40.0)) == (16, 12.0, -15.0)
    decoding = _all_inputs(38.0, 50.0, 90.0, mlp=False)  # non-grid units: 25 cm, grid: 24 cm
    hurt = verdicts.lesion_verdict(_lesions(35.0, 40.0), decoding)
    assert hurt.startswith("With 16 units silenced, the grid lesion changes the decoding error by "
                           "+12.0 cm and the success rate by -15.0 points")  # fmt: skip
    assert hurt.endswith("hurts navigation more than silencing random units.")
    same = verdicts.lesion_verdict(_lesions(24.0, 54.0), decoding)
    assert "Grid units are not special here" in same
    assert "the non-grid units alone decode goal vectors as well as the grid units" in same
    assert "(25 against 24 cm, all distances)" in same
    one = _lesions(35.0, 40.0).replace({"units silenced": {8: 0, 16: 1}})
    assert verdicts.lesion_verdict(one, decoding).startswith("With 1 unit silenced, ")
    worse = verdicts.lesion_verdict(_lesions(24.0, 54.0), _all_inputs(10.0, 50.0, 90.0, False))
    assert worse.endswith("costs about as much whichever it is.")  # non-grid units decode worse


def _split_decoding(split, grid_linear, place_linear, grid_mlp, place_mlp):
    errors = {}
    for name in nv.INPUTS:
        errors[(name, "linear")] = np.full(4, 50.0)
        errors[(name, "MLP")] = np.full(4, 50.0)
    errors[("grid", "linear")] = np.full(4, grid_linear)
    errors[("place code", "linear")] = np.full(4, place_linear)
    errors[("grid", "MLP")] = np.full(4, grid_mlp)
    errors[("place code", "MLP")] = np.full(4, place_mlp)
    distances = np.array([0.2, 0.4, 1.2, 1.6])
    return nv.Decoding(errors, distances, 1.0 if split == "distance" else np.inf, {}, split)


def test_linearity_table_reads_each_split_on_its_held_out_pairs():
    by_distance = _split_decoding("distance", 10, 20, 30, 40)
    by_distance.errors_cm[("grid", "linear")] = np.array([0.0, 0.0, 12.0, 14.0])
    table = verdicts.linearity_table(by_distance, _split_decoding("half", 5, 6, 7, 8))
    assert table.loc["grid", ("beyond the training distance", "linear")] == 13.0
    assert table.loc["grid", ("in the unseen half", "MLP")] == 7.0
    assert list(table.index) == list(nv.INPUTS)


def test_linearity_verdict_says_when_the_read_out_flips_the_conclusion():
    same = verdicts.linearity_table(
        _split_decoding("distance", 10, 20, 30, 40), _split_decoding("half", 5, 6, 7, 8)
    )
    text = verdicts.linearity_verdict(same)
    assert text.startswith(
        "The conclusion does not hinge on linearity: the grid units beat the place code in every "
        "test, through the ridge and the MLP read-out alike ("
    )
    split = verdicts.linearity_table(
        _split_decoding("distance", 30, 20, 40, 30), _split_decoding("half", 5, 6, 7, 8)
    )
    assert verdicts.linearity_verdict(split).startswith(
        "The conclusion does not hinge on linearity: the grid units beat the place code in the "
        "unseen half and not beyond the training distance, through"
    )
    flipped = verdicts.linearity_table(
        _split_decoding("distance", 10, 20, 30, 40), _split_decoding("half", 5, 6, 9, 8)
    )
    text = verdicts.linearity_verdict(flipped)
    assert text.startswith(
        "The conclusion hinges on linearity: in the unseen half the grid units win through the "
        "linear read-out and the place code through the MLP ("
    )
    assert "MLP 9 against 8 cm" in text
