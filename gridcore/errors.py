"""The one exception gridcore raises for the user's mistakes.

Commands turn it into a single line on stderr and a non-zero exit; library callers can catch it.
"""

from __future__ import annotations


class GridcoreError(Exception):
    """An error with a one-line message meant for the user (bad input, bad file, divergence)."""


class DivergedError(GridcoreError):
    """Training stopped because the loss became non-finite or exploded.

    ``step`` is the step whose loss was bad; the run directory keeps the last good checkpoint.
    """

    def __init__(self, message: str, step: int) -> None:
        super().__init__(message)
        self.step = step
