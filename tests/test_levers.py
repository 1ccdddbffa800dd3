"""A config's departures from the paper, in words, with their chapters."""

from pathlib import Path

from gridcore.net.config import get_preset
from gridcore.net.levers import LEVERS, in_words, levers
from gridcore.world.trajectories import get_motion

BOOK = Path(__file__).resolve().parent.parent / "book"


def test_the_paper_departs_from_nothing_and_quick_from_what_it_changes():
    assert levers(get_preset("paper")).empty
    table = levers(get_preset("quick"))
    assert {"the rat", "learning rate", "training steps", "a training example"} <= set(
        table.setting
    )
    row = table.set_index("setting").loc["a training example"]
    assert row.value == "2 s in 100 steps of 0.02 s" and row.paper == "15 s in 100 steps of 0.15 s"


def test_a_reference_other_than_the_paper():
    table = levers(get_preset("quick", motion="paper"), reference=get_preset("quick"))
    assert list(table.setting) == ["the rat"]
    speed = get_motion("paper").mean_speed
    assert table.value[0] == f"the paper's (mean speed set to {speed:.2f} m/s)"
    assert "reference" in table.columns and "paper" not in table.columns


def test_every_lever_names_a_chapter_that_exists():
    for lever in LEVERS.values():
        assert (BOOK / f"{lever.chapter}.ipynb").is_file(), lever.chapter


def test_a_setting_that_does_not_apply_reads_a_dash_and_numbers_are_short():
    two = get_preset("paper", place_ensembles=2, place_sigma_ratio=7 / 3)
    row = levers(two).set_index("setting").loc["width ratio between ensembles"]
    assert (row.value, row.paper) == ("2.33", "–")
    one = get_preset("paper", place_sigma_ratio=2.0)  # one ensemble: the ratio is unused
    assert levers(one).empty


def test_a_setting_in_words_and_one_the_book_does_not_word():
    cfg = get_preset("quick", place_sigma=0.06, ensemble_rng="shared")
    assert in_words("place_sigma", 0.06, cfg) == "place-cell width: 6 cm"
    assert in_words("use_hd", False, cfg) == "head-direction cells: none"
    assert in_words("ensemble_rng", "shared", cfg).endswith(": one random stream for both")
    assert in_words("lr_final_frac", 0.2, cfg) == "lr_final_frac: 0.2"
