#!/usr/bin/env python3
"""Execute the book's notebooks with papermill and stage them for Jupyter Book.

The committed notebooks in ``book/`` carry no outputs. This script runs each
``book/NN_name.ipynb`` on a fresh ``python3`` kernel (working directory
``book/``) with the parameters of a named profile from ``book/profiles.yml``
and writes the executed copy into a staging tree, by default ``_build/src/``:

    _build/src/_config.yml, _toc.yml, _vendor/   copied from the repository root
    _build/src/book/NN_name.ipynb                executed copies (with outputs)
    _build/src/book/*.md, images, _generated/    copied from book/
    _build/src/*.bib                             copied from the repository root

``jupyter-book build _build/src --path-output .`` then renders the book into
``_build/html/`` without executing anything (``execute_notebooks: off``).

Each notebook's wall time goes into ``book/_generated/run_times.md``, which the
page ``book/run_times.md`` includes.

Every profile parameter must exist in the notebook's ``parameters``-tagged
cell and have a compatible type; otherwise the run stops with a one-line error
before any notebook is executed (papermill itself only warns about unknown
names).

Examples::

    python book/run_notebooks.py --profile full          # all notebooks
    python book/run_notebooks.py --profile ci            # small sizes, for CI
    python book/run_notebooks.py 04_training.ipynb -p steps 2000
    python book/run_notebooks.py 04_training.ipynb -p steps 2000 -o out.ipynb
    python book/run_notebooks.py --check                 # validate profiles only
    python book/run_notebooks.py --stage-only            # re-stage sources, run nothing
"""

from __future__ import annotations

import argparse
import ast
import json
import logging
import os
import re
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BOOK_DIR = Path(__file__).resolve().parent
ROOT = BOOK_DIR.parent
PROFILES_FILE = BOOK_DIR / "profiles.yml"
GENERATED_DIR = BOOK_DIR / "_generated"
RUN_TIMES_MD = GENERATED_DIR / "run_times.md"
RUN_TIMES_JSON = GENERATED_DIR / "run_times.json"
DEFAULT_STAGE = ROOT / "_build" / "src"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
KERNEL = "python3"
DEFAULT_CELL_TIMEOUT = 3600  # seconds per cell

# What besides the executed notebooks goes into the staging tree.
ROOT_FILES = ["_config.yml", "_toc.yml"]
ROOT_GLOBS = ["*.bib"]
ROOT_DIRS = ["_vendor"]
# Files under book/ (recursively) with these suffixes are copied; anything else
# a notebook writes there (checkpoints, runs, caches) stays out of the book.
BOOK_SUFFIXES = {".md", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bib", ".html"}
BOOK_SKIP_DIRS = {".ipynb_checkpoints", "__pycache__", "runs", "checkpoints"}


class DriverError(Exception):
    """A failure reported to the user as one line."""


# --------------------------------------------------------------------------- notebooks


def list_notebooks() -> list[Path]:
    return sorted(BOOK_DIR.glob(NOTEBOOK_GLOB))


def resolve_notebook(name: str) -> Path:
    """Accept ``04_training.ipynb``, ``04_training`` or ``book/04_training.ipynb``."""
    path = Path(name)
    if path.suffix != ".ipynb":
        path = path.with_name(path.name + ".ipynb")
    candidates = [path, BOOK_DIR / path.name]
    for cand in candidates:
        if cand.is_file() and cand.resolve().parent == BOOK_DIR:
            return cand.resolve()
    if path.is_file():
        raise DriverError(f"{name}: only notebooks in book/ can be run by this script")
    known = ", ".join(p.name for p in list_notebooks()) or "none"
    raise DriverError(f"{name}: no such notebook in book/ (known: {known})")


# --------------------------------------------------------------------------- profiles


def load_profiles(path: Path = PROFILES_FILE) -> dict[str, dict[str, dict]]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise DriverError(f"{path}: profile file not found") from None
    except yaml.YAMLError as exc:
        raise DriverError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise DriverError(f"{path}: expected a mapping of profile names")
    profiles: dict[str, dict[str, dict]] = {}
    for prof, notebooks in data.items():
        notebooks = notebooks or {}
        if not isinstance(notebooks, dict):
            raise DriverError(f"{path}: profile {prof!r} must map notebook names to parameters")
        clean = {}
        for nb, params in notebooks.items():
            params = params or {}
            if not isinstance(params, dict):
                raise DriverError(
                    f"{path}: profile {prof!r}, {nb}: parameters must be a mapping, "
                    f"got {type(params).__name__}"
                )
            clean[str(nb)] = params
        profiles[str(prof)] = clean
    return profiles


def profile_params(profiles: dict, profile: str) -> dict[str, dict]:
    if profile not in profiles:
        raise DriverError(
            f"unknown profile {profile!r} (profiles in {PROFILES_FILE.name}: "
            f"{', '.join(profiles) or 'none'})"
        )
    return profiles[profile]


# --------------------------------------------------------------------------- parameters

_ANNOTATION_TYPES = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "list": list,
    "tuple": list,
    "dict": dict,
}


def _expected_type(info: dict):
    """Type a parameter's value should have, or None when it cannot be told."""
    name = (info.get("inferred_type_name") or "None").strip()
    base = re.sub(r"\[.*\]$", "", name).lower()
    if base in _ANNOTATION_TYPES:
        return _ANNOTATION_TYPES[base]
    try:
        default = ast.literal_eval(info.get("default") or "")
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if default is None:
        return None
    if isinstance(default, tuple):
        return list
    for typ in (bool, int, float, str, list, dict):
        if isinstance(default, typ):
            return typ
    return None


def _compatible(value, expected) -> bool:
    if expected is None:
        return True
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is list:
        return isinstance(value, list | tuple)
    return isinstance(value, expected)


def inspect_parameters(notebook: Path) -> dict[str, dict]:
    """The notebook's ``parameters`` cell, as papermill sees it."""
    from papermill.inspection import _infer_parameters
    from papermill.iorw import load_notebook_node

    nb = load_notebook_node(str(notebook))
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        raise DriverError(
            f"{notebook.name}: needs exactly one cell tagged 'parameters', found {len(tagged)}"
        )
    # What papermill.inspect_notebook reports, with the kernel we execute with
    # (inspect_notebook insists on a kernelspec in the notebook's metadata).
    params = _infer_parameters(nb, name=KERNEL, language="python")
    return {p.name: p._asdict() for p in params}


def check_parameters(notebook: Path, params: dict, source: str) -> None:
    """Raise DriverError unless every parameter exists with a compatible type."""
    if not params:
        return
    declared = inspect_parameters(notebook)
    for name, value in params.items():
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise DriverError(
                f"{notebook.name}: unknown parameter {name!r} ({source}); "
                f"the parameters cell defines: {known}"
            )
        expected = _expected_type(declared[name])
        if not _compatible(value, expected):
            raise DriverError(
                f"{notebook.name}: parameter {name!r} ({source}) must be "
                f"{expected.__name__} like its default {declared[name]['default']}, "
                f"got {type(value).__name__} {value!r}"
            )


def check_profiles(profiles: dict) -> None:
    names = {p.name for p in list_notebooks()}
    for prof, notebooks in profiles.items():
        for nb_name, params in notebooks.items():
            if nb_name not in names:
                raise DriverError(
                    f"{PROFILES_FILE.name}: profile {prof!r} names {nb_name!r}, "
                    f"which is not a notebook in book/ matching {NOTEBOOK_GLOB}"
                )
            check_parameters(BOOK_DIR / nb_name, params, f"profile {prof!r}")


def parse_cli_value(text: str):
    """Same rules as ``papermill -p``: True/False/None, int, float, else str."""
    if text in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[text]
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


# --------------------------------------------------------------------------- running


def execute(notebook: Path, output: Path, params: dict, cell_timeout: int) -> float:
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=params,
            kernel_name=KERNEL,
            cwd=str(BOOK_DIR),
            execution_timeout=cell_timeout,
            progress_bar=False,
            log_output=False,
            report_mode=False,
            # Silence the kernel's start-up banner about unencrypted local TCP.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except PapermillExecutionError as exc:
        evalue = (str(exc.evalue).strip().splitlines() or [""])[0]
        raise DriverError(
            f"{notebook.name} failed in cell [{exc.exec_count}]: {exc.ename}: {evalue} "
            f"(traceback in {_rel(output)})"
        ) from None
    except Exception as exc:  # kernel died, cell timeout, bad notebook ...
        msg = (str(exc).strip().splitlines() or [""])[0]
        raise DriverError(f"{notebook.name} failed: {type(exc).__name__}: {msg}") from None
    return time.perf_counter() - start


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _fmt_seconds(sec: float) -> str:
    if sec < 60:
        return f"{sec:.1f} s"
    return f"{int(sec // 60)} min {sec % 60:04.1f} s"


def _params_text(parameters: dict) -> str:
    return ", ".join(f"`{k}={v!r}`" for k, v in parameters.items()) or "defaults"


def write_run_times(records: dict[str, dict]) -> None:
    """Write the run-times page's table: one row per notebook with its wall time, and its
    profile and parameters as columns, or in one sentence when every notebook shares them."""
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    RUN_TIMES_JSON.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
    ways = {(rec["profile"], _params_text(rec["parameters"])) for rec in records.values()}
    shared = len(ways) == 1
    if shared:
        lines = ["| Notebook | Wall time |", "| --- | --- |"]
    else:
        lines = [
            "| Notebook | Profile | Parameters | Wall time |",
            "| --- | --- | --- | --- |",
        ]
    total = 0.0
    for name in sorted(records):
        rec = records[name]
        time = _fmt_seconds(rec["seconds"])
        if shared:
            lines.append(f"| `{name}` | {time} |")
        else:
            params = _params_text(rec["parameters"])
            lines.append(f"| `{name}` | {rec['profile']} | {params} | {time} |")
        total += rec["seconds"]
    gaps = " |" if shared else " | | |"
    lines.append(f"| **Total**{gaps} **{_fmt_seconds(total)}** |")
    when = max((r["finished"] for r in records.values()), default="")
    cpus = os.cpu_count()
    lines += [""]
    if shared:
        profile, params = next(iter(ways))
        how = "its defaults" if params == "defaults" else params
        lines += [f"Every notebook ran in the `{profile}` profile, with {how}.", ""]
    lines += [
        f"Run on {cpus} CPU core{'s' if cpus != 1 else ''}; no chapter uses a GPU. "
        f"The last run finished {when}.",
        "",
    ]
    RUN_TIMES_MD.write_text("\n".join(lines))


def stage_sources(stage: Path) -> None:
    """Copy the non-notebook book sources into the staging tree."""
    stage.mkdir(parents=True, exist_ok=True)
    for name in ROOT_FILES:
        src = ROOT / name
        if not src.is_file():
            raise DriverError(f"{name} missing at the repository root")
        shutil.copy2(src, stage / name)
    for pattern in ROOT_GLOBS:
        for src in ROOT.glob(pattern):
            shutil.copy2(src, stage / src.name)
    for name in ROOT_DIRS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, stage / name, dirs_exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(BOOK_DIR):
        dirnames[:] = [d for d in dirnames if d not in BOOK_SKIP_DIRS]
        rel = Path(dirpath).relative_to(BOOK_DIR)
        for fname in filenames:
            if Path(fname).suffix.lower() in BOOK_SUFFIXES:
                dest = stage / "book" / rel / fname
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(dirpath) / fname, dest)


def run(args: argparse.Namespace) -> None:
    profiles = load_profiles(Path(args.profiles))
    check_profiles(profiles)  # every profile, so a typo anywhere fails fast
    if args.check:
        counts = ", ".join(f"{p} ({len(nbs)} customised)" for p, nbs in profiles.items())
        print(f"run_notebooks: {len(list_notebooks())} notebooks, profiles OK: {counts}")
        return
    if args.stage_only:
        stage = Path(args.out)
        missing = [p.name for p in list_notebooks() if not (stage / "book" / p.name).is_file()]
        if missing:
            raise DriverError(
                f"--stage-only: {_rel(stage)} holds no executed copy of {', '.join(missing)}; "
                "run the notebooks first"
            )
        stage_sources(stage)
        print(f"run_notebooks: book sources staged in {_rel(stage)}; no notebook executed")
        return

    prof = profile_params(profiles, args.profile)
    overrides: dict = {}
    for name, value in args.parameters or []:
        overrides[name] = parse_cli_value(value)
    for text in args.yaml or []:
        import yaml

        extra = yaml.safe_load(text)
        if not isinstance(extra, dict):
            raise DriverError(f"-y {text!r}: expected a YAML mapping of parameters")
        overrides.update(extra)

    if args.notebooks:
        notebooks = [resolve_notebook(n) for n in args.notebooks]
    else:
        notebooks = list_notebooks()
        if not notebooks:
            raise DriverError(f"no notebooks matching book/{NOTEBOOK_GLOB}")
    if (overrides or args.output) and len(notebooks) != 1:
        raise DriverError("-p/-y/-o apply to a single notebook: name exactly one")

    plan = []
    for nb in notebooks:
        params = {**prof.get(nb.name, {}), **overrides}
        check_parameters(nb, params, "-p/-y" if overrides else f"profile {args.profile!r}")
        plan.append((nb, params))

    stage = Path(args.out).resolve()
    if args.output:
        nb, params = plan[0]
        sec = execute(nb, Path(args.output), params, args.cell_timeout)
        print(f"run_notebooks: {nb.name} -> {args.output} in {_fmt_seconds(sec)}")
        return

    full_run = not args.notebooks
    if full_run and stage.exists():
        shutil.rmtree(stage)
    records = {}
    if not full_run and RUN_TIMES_JSON.is_file():
        records = json.loads(RUN_TIMES_JSON.read_text())
    total = 0.0
    for nb, params in plan:
        out = stage / "book" / nb.name
        shown = " ".join(f"{k}={v!r}" for k, v in params.items()) or "defaults"
        print(f"run_notebooks: {nb.name} [{args.profile}: {shown}] ...", flush=True)
        sec = execute(nb, out, params, args.cell_timeout)
        total += sec
        print(f"run_notebooks: {nb.name} ok in {_fmt_seconds(sec)}", flush=True)
        records[nb.name] = {
            "profile": args.profile,
            "parameters": params,
            "seconds": round(sec, 2),
            "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        }
    records = {k: v for k, v in records.items() if (BOOK_DIR / k).is_file()}
    write_run_times(records)
    stage_sources(stage)
    print(
        f"run_notebooks: {len(plan)} notebook(s) executed in {_fmt_seconds(total)} "
        f"(profile {args.profile}); staged in {_rel(stage)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Execute the book's notebooks with papermill under a parameter profile.",
        epilog="Profiles live in book/profiles.yml.",
    )
    parser.add_argument("notebooks", nargs="*", help="notebooks to run (default: all)")
    parser.add_argument("--profile", default="full", help="profile name (default: full)")
    parser.add_argument("--profiles", default=str(PROFILES_FILE), help=argparse.SUPPRESS)
    parser.add_argument(
        "-p",
        "--parameter",
        dest="parameters",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="override one parameter (parsed like papermill -p)",
    )
    parser.add_argument("-y", "--yaml", action="append", help="parameters as a YAML mapping")
    parser.add_argument(
        "-o", "--output", help="write the single executed notebook here instead of staging it"
    )
    parser.add_argument("--out", default=str(DEFAULT_STAGE), help="staging tree for the book build")
    parser.add_argument(
        "--cell-timeout",
        type=int,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"seconds one cell may run (default {DEFAULT_CELL_TIMEOUT})",
    )
    parser.add_argument(
        "--check", action="store_true", help="only validate the profiles against the notebooks"
    )
    parser.add_argument(
        "--stage-only",
        action="store_true",
        help="only copy the non-notebook sources (_config.yml, _toc.yml, *.bib, book/*.md, ...) "
        "into --out, keeping the executed notebooks already there (e.g. restored from a cache)",
    )
    args = parser.parse_args(argv)
    if args.cell_timeout <= 0:
        parser.error("--cell-timeout must be positive")

    # Run the notebooks on this interpreter's "python3" kernel: its kernelspec
    # first (ahead of any per-user one), and "python" on PATH is this python.
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    jupyter_data = str(Path(sys.prefix) / "share" / "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (jupyter_data, os.environ.get("JUPYTER_PATH", "")) if p
    )
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    logging.getLogger("papermill").setLevel(logging.ERROR)

    try:
        run(args)
    except DriverError as exc:
        print(f"run_notebooks: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("run_notebooks: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
