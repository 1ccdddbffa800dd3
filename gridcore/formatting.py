"""How gridcore writes numbers for reading, in tables and sentences alike."""

from __future__ import annotations

import math

MISSING = "–"  # what a table shows where there is no number


def percent(fraction: float | None) -> str:
    """A fraction (0-1) as a percentage with one decimal, ``"25.2 %"``; :data:`MISSING` where
    there is no number (None, NaN or infinite)."""
    if fraction is None or not math.isfinite(fraction):
        return MISSING
    return f"{100 * fraction:.1f} %"
