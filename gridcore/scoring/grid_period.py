"""The grid period that centre-surround place-cell targets predict.

numpy only. When a network path-integrates to place-cell targets whose spatial tuning is a
difference of Gaussians (a centre of width sigma minus a surround of width sigma_s), the
pattern-forming theory of Sorscher et al. (2019, 2023) and Schaeffer et al. (2022, their
equation 2) says the hidden units favour the spatial frequency where the targets' power spectrum
peaks. In 2-D the Fourier transform of a normalised Gaussian of width s is exp(-k^2 s^2 / 2),
so the difference peaks where the derivative of exp(-k^2 sigma^2 / 2) - exp(-k^2 sigma_s^2 / 2)
vanishes:

    k*^2 = 2 ln(sigma_s^2 / sigma^2) / (sigma_s^2 - sigma^2)        (rad^2 / m^2)

A hexagonal pattern made of three plane waves of wavenumber k* has its fields
4 pi / (sqrt(3) k*) apart: the grid period, which gridcore's scorer measures as the grid scale.
With gridcore's surround of twice the centre (``surround_scale`` 2) the period is about 7.55
sigma: 0.91 m at sigma = 12 cm.

gridcore's centre-surround targets (``place_kind="dog"``, gridcore.world.ensembles) are softmaxes
over the cells rather than Gaussian densities, shifted to be non-negative and normalised; the shift
adds a constant, which changes only the zero frequency, so the predicted peak is the same. The
softmax of Gaussians alone (the paper's targets) is low-pass: it favours no period.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SURROUND_SCALE = 2.0  # gridcore's surround width over centre width (ensembles)


def _check(sigma_m: np.ndarray, surround_scale) -> None:
    if not np.all(np.isfinite(sigma_m)) or np.any(sigma_m <= 0):
        raise ValueError("place-cell width sigma must be finite and > 0 (metres)")
    surround = np.asarray(surround_scale, dtype=np.float64)
    if not np.all(np.isfinite(surround)) or np.any(surround <= 1):
        raise ValueError("surround_scale must be > 1 (the surround is wider than the centre)")


def preferred_wavenumber(sigma_m, surround_scale: float = DEFAULT_SURROUND_SCALE) -> np.ndarray:
    """k* (rad/m): where the power spectrum of centre-surround targets of centre width
    ``sigma_m`` (metres) and surround width ``surround_scale`` x sigma peaks."""
    sigma = np.asarray(sigma_m, dtype=np.float64)
    _check(sigma, surround_scale)
    s2, ss2 = sigma**2, (np.asarray(surround_scale, dtype=np.float64) * sigma) ** 2
    return np.sqrt(2.0 * np.log(ss2 / s2) / (ss2 - s2))


def predicted_period(sigma_m, surround_scale: float = DEFAULT_SURROUND_SCALE) -> np.ndarray:
    """The predicted grid period (m): 4 pi / (sqrt(3) k*) for centre width ``sigma_m`` (m)."""
    return 4.0 * np.pi / (np.sqrt(3.0) * preferred_wavenumber(sigma_m, surround_scale))


def period_per_sigma(surround_scale: float = DEFAULT_SURROUND_SCALE) -> float:
    """The predicted period in units of the centre width (about 7.55 at ``surround_scale`` 2):
    the prediction is linear in sigma."""
    return float(predicted_period(1.0, surround_scale))


def sigma_for_period(period_m, surround_scale: float = DEFAULT_SURROUND_SCALE) -> np.ndarray:
    """The centre width (m) whose targets predict grid period ``period_m`` (m); for example the
    paper's modules near 0.47, 0.70 and 1.06 m need about 6.2, 9.3 and 14 cm."""
    period = np.asarray(period_m, dtype=np.float64)
    if not np.all(np.isfinite(period)) or np.any(period <= 0):
        raise ValueError("grid period must be finite and > 0 (metres)")
    return period / period_per_sigma(surround_scale)


def target_spectrum(k, sigma_m: float, surround_scale: float = DEFAULT_SURROUND_SCALE):
    """The radial power spectrum of centre-surround targets at wavenumbers ``k`` (rad/m), in
    units of its peak: the curve whose maximum is :func:`preferred_wavenumber`."""
    sigma = float(sigma_m)
    _check(np.asarray(sigma), surround_scale)
    k = np.asarray(k, dtype=np.float64)
    amp = np.exp(-0.5 * (k * sigma) ** 2) - np.exp(-0.5 * (k * surround_scale * sigma) ** 2)
    k_star = preferred_wavenumber(sigma, surround_scale)
    peak = np.exp(-0.5 * (k_star * sigma) ** 2) - np.exp(
        -0.5 * (k_star * surround_scale * sigma) ** 2
    )
    return (amp / peak) ** 2
