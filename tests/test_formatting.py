"""Numbers written for reading."""

import math

import numpy as np
import pytest

from gridcore.formatting import MISSING, count, join, percent, plural, short_sentences


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.252, "25.2 %"), (1.0, "100.0 %"), (0.0, "0.0 %"), (np.float64(0.0004), "0.0 %")],
)
def test_a_fraction_is_a_percentage_with_one_decimal(fraction, text):
    assert percent(fraction) == text


@pytest.mark.parametrize("fraction", [None, math.nan, np.nan, math.inf, -math.inf])
def test_no_number_is_a_dash(fraction):
    assert percent(fraction) == MISSING == "–"


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 units"), (1, "1 unit"), (2, "2 units"), (np.int64(1), "1 unit"), (1500, "1,500 units")],
)
def test_a_count_takes_its_noun_in_the_right_number(n, text):
    assert count(n, "unit") == text


def test_a_count_can_say_no_and_take_an_irregular_plural():
    assert count(0, "unit", zero="no") == "no units"
    assert count(1, "unit", zero="no") == "1 unit"
    assert count(2, "cell body", "cell bodies") == "2 cell bodies"
    assert plural(1, "seed") == "seed" and plural(3, "seed") == "seeds"


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_items_join_as_in_a_sentence(items, text):
    assert join(items) == text


def test_short_sentences_cuts_long_ones_at_semicolons_then_colons():
    long = "; ".join(f"clause {i} " + "word " * 12 for i in range(3)).strip() + "."
    cut = short_sentences(long, limit=20)
    assert cut.count(".") == 3 and ";" not in cut and cut.startswith("Clause 0")
    colon = "Answer: " + "word " * 25 + "(a; b) end."
    assert short_sentences(colon, limit=20).startswith("Answer. Word")
    assert (
        short_sentences("Short one. Another short one.", limit=20)
        == "Short one. Another short one."
    )
    numbers = "Median: 0.88 m " + "word " * 30 + "end."
    assert short_sentences(numbers, limit=20) == numbers  # no clause to cut at
