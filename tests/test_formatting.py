"""Numbers written for reading."""

import math

import numpy as np
import pytest

from gridcore.formatting import MISSING, percent


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(0.252, "25.2 %"), (1.0, "100.0 %"), (0.0, "0.0 %"), (np.float64(0.0004), "0.0 %")],
)
def test_a_fraction_is_a_percentage_with_one_decimal(fraction, text):
    assert percent(fraction) == text


@pytest.mark.parametrize("fraction", [None, math.nan, np.nan, math.inf, -math.inf])
def test_no_number_is_a_dash(fraction):
    assert percent(fraction) == MISSING == "–"
