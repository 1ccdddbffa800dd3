"""How gridcore writes numbers for reading, in tables and sentences alike."""

from __future__ import annotations

import math
import re

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


def _top_level(text: str, mark: str) -> list[int]:
    """Where ``mark`` starts in ``text`` outside parentheses."""
    depth, at = 0, []
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text.startswith(mark, i):
            at.append(i)
    return at


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[0].upper() + text[1:] + "."


def _split(text: str, limit: int) -> list[str]:
    if len(text.split()) <= limit:
        return [text]
    at = _top_level(text, "; ")
    if at:
        starts, ends = [0, *(a + 2 for a in at)], [*at, len(text)]
        return [
            p
            for a, b in zip(starts, ends, strict=True)
            for p in _split(_sentence(text[a:b]), limit)
        ]
    at = [i for i in _top_level(text, ": ") if not re.match(r"(a|an) |\d", text[i + 2 :])]
    at = at or _top_level(text, ", so ")
    if not at:
        return [text]
    i = min(at, key=lambda k: abs(k - len(text) / 2))  # the cut nearest the middle
    return _split(_sentence(text[:i]), limit) + _split(_sentence(text[i + 2 :]), limit)


def short_sentences(text: str, limit: int = 40) -> str:
    """``text`` with every sentence of more than ``limit`` words cut into sentences of its own:
    at each semicolon outside parentheses, else at the colon nearest its middle that a clause
    follows (not a number or "a ..."), else before ", so"."""
    sentences = re.split(r"(?<=\.) (?=[A-Z`])", text.strip())
    return " ".join(part for s in sentences for part in _split(s, limit))
