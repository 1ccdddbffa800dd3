"""The vector-navigation verdict: permutation test, interval, detectable difference."""

import numpy as np
import pandas as pd
import pytest

from gridcore.navigation import return_results as rr


def table(grid, place):
    rows = [("bottleneck", s, v) for s, v in enumerate(grid)]
    rows += [("place", s, v) for s, v in enumerate(place)]
    return pd.DataFrame(
        [
            {"variant": v, "seed": s, "condition": "held-out", "goals_per_episode": g}
            for v, s, g in rows
        ]
    )


def test_the_exact_permutation_test_has_its_smallest_p_for_separated_arms():
    a, b = np.array([5.0, 6, 7, 8, 9]), np.array([1.0, 2, 3, 4, 4.5])
    assert rr.permutation_p(a, b) == pytest.approx(2 / 252)
    assert rr.permutation_p(a, a.copy()) == 1.0


def test_detectable_difference_grows_with_the_spread_and_shrinks_with_seeds():
    tight = rr.detectable_difference(
        np.array([1.0, 1.1, 0.9, 1.0, 1.05]), np.array([1.0, 0.95, 1.1, 0.9, 1.0])
    )
    wide = rr.detectable_difference(
        np.array([1.0, 2, 0.2, 1.5, 0.5]), np.array([1.0, 0.1, 2, 0.9, 1.3])
    )
    assert 0 < tight < wide
    many = rr.detectable_difference(
        np.tile([1.0, 2, 0.2, 1.5, 0.5], 4), np.tile([1.0, 0.1, 2, 0.9, 1.3], 4)
    )
    assert many < wide


def test_the_verdict_can_come_out_each_way():
    clear = rr.primary(table([3.0, 3.2, 3.1, 3.3, 3.05], [2.0, 2.1, 1.9, 2.05, 2.2]))
    assert rr.verdict(clear) == "reproduced" and clear.interval[0] > 0
    reversed_ = rr.primary(table([2.0, 2.1, 1.9, 2.05, 2.2], [3.0, 3.2, 3.1, 3.3, 3.05]))
    assert rr.verdict(reversed_) == "not reproduced"
    tight_null = rr.primary(table([2.0, 2.02, 1.98, 2.01, 1.99], [2.0, 1.99, 2.01, 2.02, 1.98]))
    assert rr.verdict(tight_null) == "not reproduced"  # a paper-sized effect would have shown
    noisy = rr.primary(table([1.0, 3.0, 0.5, 2.5, 0.2], [2.0, 0.1, 3.0, 1.0, 0.4]))
    assert rr.verdict(noisy) == "inconclusive"
    with pytest.raises(ValueError, match="two seeds"):
        rr.primary(table([1.0], [2.0, 3.0]))
