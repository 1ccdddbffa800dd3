"""Every chapter of parts I-IV teaches: objectives first, key points and exercises last.

Each such chapter opens with a "What you will learn" admonition, ends with "Key points" and
two to four exercises, each with a solution hidden behind a toggle, and at least one exercise
asks the reader to complete code (a gated exercise around a code cell, whose solution runs when
the notebook runs). The parts come from ``_toc.yml``.

The chapters of part IV also name the chapters they point to by title (a MyST ``{doc}`` role or
a link), never by a bare number, and speak to the reader about the science only.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
TEACHING_PARTS = ("I.", "II.", "III.", "IV.")

EXERCISE = re.compile(r"^[`:]{3,}\{exercise(-start)?\}\s*\n:label:\s*(\S+)", re.M)
SOLUTION = re.compile(r"^[`:]{3,}\{solution(-start)?\}\s*(\S+)\s*\n((?::\w+:.*\n)*)", re.M)


def _teaching_chapters(parts: tuple[str, ...] = TEACHING_PARTS) -> list[str]:
    files = []
    for part in TOC["parts"]:
        if part["caption"].startswith(parts):
            files += [c["file"] for c in part["chapters"]]
    return files


def _cells(stem: str) -> list[dict]:
    nb = json.loads((ROOT / f"{stem}.ipynb").read_text(encoding="utf-8"))
    return [{"type": c["cell_type"], "text": "".join(c["source"])} for c in nb["cells"]]


CHAPTERS = _teaching_chapters()
PART_IV = [c for c in CHAPTERS if c in _teaching_chapters(("IV.",))]

# A chapter named by its number ("chapter 11", "Chapter 11's", "ch. 15"), which goes stale when
# the chapters are renumbered; and words about how the book is made rather than about the science.
BARE_CHAPTER = re.compile(r"\b(?:chapter|ch\.)\s*\d+", re.I)
BACKSTAGE = re.compile(
    r"meets? (?:the|both|its) targets?|provenance|scores\.json|experiments/\w+\.py|\.sh\b"
    r"|a test checks|component\(s\)|none of those measured|CPU budget|this machine",
    re.I,
)


def test_parts_i_to_iv_hold_the_core_chapters():
    assert len(CHAPTERS) >= 14, CHAPTERS
    assert len(PART_IV) >= 4, PART_IV
    assert all((ROOT / f"{c}.ipynb").is_file() for c in CHAPTERS), CHAPTERS


@pytest.mark.parametrize("stem", CHAPTERS, ids=lambda s: Path(s).name)
def test_chapter_opens_with_what_you_will_learn(stem):
    first = _cells(stem)[0]
    assert first["type"] == "markdown" and first["text"].startswith("# "), stem
    assert "{admonition} What you will learn" in first["text"], (
        f"{stem}: the first cell needs a 'What you will learn' admonition"
    )


@pytest.mark.parametrize("stem", CHAPTERS, ids=lambda s: Path(s).name)
def test_chapter_ends_with_key_points_then_exercises(stem):
    heads = [
        (i, line)
        for i, c in enumerate(_cells(stem))
        if c["type"] == "markdown"
        for line in c["text"].splitlines()
        if line.startswith("## ")
    ]
    names = [h for _, h in heads]
    assert "## Key points" in names and "## Exercises" in names, f"{stem}: {names}"
    assert names.index("## Key points") < names.index("## Exercises") == len(names) - 1, (
        f"{stem}: Key points, then Exercises, must be the last sections: {names}"
    )


@pytest.mark.parametrize("stem", CHAPTERS, ids=lambda s: Path(s).name)
def test_exercises_have_hidden_solutions_and_one_asks_for_code(stem):
    cells = _cells(stem)
    text = "\n".join(c["text"] for c in cells if c["type"] == "markdown")
    exercises = {label: bool(gated) for gated, label in EXERCISE.findall(text)}
    assert 2 <= len(exercises) <= 4, f"{stem}: {len(exercises)} exercises, need 2-4"
    solutions = {label: options for _, label, options in SOLUTION.findall(text)}
    for label in exercises:
        assert label in solutions, f"{stem}: exercise {label} has no solution"
        assert ":class: dropdown" in solutions[label], f"{stem}: solution {label} is not hidden"
    coding = [label for label, gated in exercises.items() if gated]
    assert coding, f"{stem}: no coding exercise (a gated exercise-start around a code cell)"
    for label in coding:
        start = next(i for i, c in enumerate(cells) if f":label: {label}" in c["text"])
        end = next(i for i in range(start, len(cells)) if "{exercise-end}" in cells[i]["text"])
        assert any(c["type"] == "code" for c in cells[start:end]), (
            f"{stem}: coding exercise {label} holds no code cell for the reader to complete"
        )
        sol = next(
            i for i, c in enumerate(cells) if re.search(rf"solution-start\}}\s*{label}", c["text"])
        )
        sol_end = next(i for i in range(sol, len(cells)) if "{solution-end}" in cells[i]["text"])
        assert any(c["type"] == "code" for c in cells[sol:sol_end]), (
            f"{stem}: the solution of {label} has no code cell (it should run with the chapter)"
        )


def test_exercise_labels_are_unique_across_the_book():
    labels = []
    for nb in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        text = "\n".join(c["text"] for c in _cells(str(nb.with_suffix("").relative_to(ROOT))))
        labels += [label for _, label in EXERCISE.findall(text)]
    assert len(labels) == len(set(labels)), sorted(x for x in labels if labels.count(x) > 1)


@pytest.mark.parametrize("stem", PART_IV, ids=lambda s: Path(s).name)
def test_part_iv_names_chapters_by_title_and_speaks_to_the_reader(stem):
    text = "\n".join(c["text"] for c in _cells(stem) if c["type"] == "markdown")
    bare = BARE_CHAPTER.findall(text)
    assert not bare, f"{stem}: name these chapters with {{doc}}`NN_name` instead: {bare}"
    backstage = BACKSTAGE.findall(text)
    assert not backstage, f"{stem}: words about how the book is made: {backstage}"
