#!/usr/bin/env python3
"""Remove outputs, execution counts and run metadata from notebooks in place.

The committed notebooks in book/ are sources; executed copies are generated
under _build/. Usage: python .ci/strip_notebooks.py [NOTEBOOK ...]
(default: book/*.ipynb). Exits 1 when it changed a file, as pre-commit expects.
Standard library only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CELL_META_DROP = ("execution", "papermill", "collapsed", "scrolled")
NB_META_DROP = ("widgets", "papermill")


def strip(nb: dict) -> dict:
    for key in NB_META_DROP:
        nb.get("metadata", {}).pop(key, None)
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {})
        for key in CELL_META_DROP:
            meta.pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[1]
    paths = [Path(a) for a in argv] or sorted((root / "book").glob("*.ipynb"))
    changed = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = json.dumps(strip(json.loads(text)), indent=1, ensure_ascii=False) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    for path in changed:
        print(f"stripped outputs from {path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
