"""The grid period that centre-surround targets predict, against a numerical peak search."""

from __future__ import annotations

import numpy as np
import pytest

from gridcore.scoring import grid_period


def test_prediction_is_the_peak_of_the_target_spectrum():
    for sigma, surround in [(0.06, 2.0), (0.12, 2.0), (0.1, np.sqrt(2.0)), (0.2, 3.0)]:
        k = np.linspace(0.01, 60 / sigma, 200_001) * 0.1
        peak = k[np.argmax(grid_period.target_spectrum(k, sigma, surround))]
        assert peak == pytest.approx(grid_period.preferred_wavenumber(sigma, surround), rel=1e-3)
        assert grid_period.target_spectrum(peak, sigma, surround) == pytest.approx(1.0, abs=1e-6)


def test_period_is_linear_in_sigma_at_about_7_55():
    assert grid_period.period_per_sigma() == pytest.approx(7.547, abs=1e-3)
    assert grid_period.predicted_period(0.12) == pytest.approx(0.906, abs=1e-3)
    sigmas = np.array([0.05, 0.1, 0.2])
    np.testing.assert_allclose(grid_period.predicted_period(sigmas) / sigmas, 7.5469, rtol=1e-4)
    # The paper's modules near 47, 70 and 106 cm need centres about 6.2, 9.3 and 14 cm wide.
    np.testing.assert_allclose(
        grid_period.sigma_for_period([0.47, 0.70, 1.06]), [0.0623, 0.0928, 0.1405], atol=5e-4
    )
    # A wider surround favours longer periods at the same centre width.
    assert grid_period.predicted_period(0.1, 3.0) > grid_period.predicted_period(0.1, 2.0)


def test_hexagonal_period_of_the_wavenumber():
    """Three plane waves of wavenumber k put neighbouring fields 4 pi / (sqrt 3 k) apart."""
    k = grid_period.preferred_wavenumber(0.1)
    period = grid_period.predicted_period(0.1)
    angles = np.radians([30.0, 90.0, 150.0])
    field = lambda p: sum(np.cos(k * (np.cos(a) * p[0] + np.sin(a) * p[1])) for a in angles)  # noqa: E731
    assert field((0.0, 0.0)) == pytest.approx(3.0)
    assert field((period, 0.0)) == pytest.approx(3.0, abs=1e-9)  # the next field along x
    xs = np.linspace(0.1, 0.9, 500) * period
    assert max(field((x, 0.0)) for x in xs) < 2.9


@pytest.mark.parametrize(
    "call",
    [
        lambda: grid_period.predicted_period(0.0),
        lambda: grid_period.predicted_period([0.1, np.nan]),
        lambda: grid_period.predicted_period(0.1, 1.0),
        lambda: grid_period.sigma_for_period(-1.0),
    ],
)
def test_bad_widths_are_refused(call):
    with pytest.raises(ValueError):
        call()
