"""Numbers that the book shows in more than one place are glued, never typed.

Each number below appears on the landing page, in the README's headline or in several chapters.
Each comes from one function of the library; a chapter's prose (or the README outside its
generated block) that types one of them as text fails here.
"""

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from gridcore import headline, paper, shipped

ROOT = Path(__file__).resolve().parents[1]


def shared_numbers() -> dict[str, list[str]]:
    """What each shared number looks like when printed, by name."""
    smallest = headline.smallest_grids()
    pi = headline.path_integration_15s()
    fast = headline.presets().loc["fast"]
    best = json.loads((shipped.network("grid-lstm") / "scores.json").read_text())
    scale = smallest.median("median_scale_m")
    return {
        "smallest grid scale": [f"{scale:.2f} m", f"{100 * scale:.0f} cm"],
        "smallest grids' share": [f"{100 * smallest.median('grid_fraction_037'):.1f} %"],
        "15 s error": [f"{pi.median('position_error_15s_cm'):.0f} cm"],
        "15 s untrained": [f"{pi.median('untrained_error_15s_cm'):.0f} cm"],
        "fast median": [f"{100 * fast['median']:.1f} %"],
        "best unit's score": [f"score {best['max_grid_score_60']:.2f}"],
        "paper's grid-like share": [f"{100 * paper.GRID_FRACTION:.1f} %"],
    }


def prose() -> dict[str, str]:
    """Markdown cells of every chapter, the book's Markdown pages, and the README less its
    generated headline block; by file name."""
    texts = {}
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        texts[path.name] = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for path in sorted((ROOT / "book").glob("*.md")):
        # outside_figures.md is the page that cites the paper's figures as the paper states them.
        if path.name not in ("run_times.md", "outside_figures.md"):
            texts[path.name] = path.read_text()
    readme = (ROOT / "README.md").read_text()
    start, end = readme.find(headline.BEGIN), readme.find(headline.END)
    texts["README.md"] = readme[:start] + readme[end:]
    return texts


@pytest.mark.parametrize("name, printed", list(shared_numbers().items()))
def test_a_shared_number_is_never_typed(name, printed):
    for file, text in prose().items():
        for form in printed:
            hits = [m.start() for m in re.finditer(rf"(?<![\d.]){re.escape(form)}", text)]
            assert not hits, f"{file} types {name} ({form}); glue it from the library"


def test_the_check_can_fail():
    """A chapter that typed the smallest scale would be caught."""
    form = shared_numbers()["smallest grid scale"][0]
    assert re.search(rf"(?<![\d.]){re.escape(form)}", f"grids of {form} across")
    assert np.isfinite(float(form.split()[0]))
