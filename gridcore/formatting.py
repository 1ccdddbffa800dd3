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


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``singular`` for one, else ``plural_form`` (default: ``singular`` + "s"): the noun that
    goes with a count, ``"seed"`` or ``"seeds"``."""
    return singular if int(n) == 1 else (plural_form or singular + "s")


def count(n: int, singular: str, plural_form: str | None = None, zero: str | None = None) -> str:
    """A count with its noun in the right number: ``"1 unit"``, ``"3 units"``, ``"0 units"``;
    with ``zero`` (e.g. ``"no"``) a count of 0 reads ``"no units"``. Thousands get commas."""
    n = int(n)
    noun = plural(n, singular, plural_form)
    if n == 0 and zero is not None:
        return f"{zero} {noun}"
    return f"{n:,} {noun}"


def join(items) -> str:
    """Items in a sentence: ``"a"``, ``"a and b"``, ``"a, b and c"``; empty for none."""
    items = [str(x) for x in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
