"""A sweep's spec: the YAML, checked against TrainConfig, expanded into trials."""

from __future__ import annotations

import difflib
import itertools
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from gridcore.errors import GridcoreError
from gridcore.net.config import PRESETS, TrainConfig, get_preset

RAY_MISSING = "gridcore sweep needs Ray Tune: pip install 'gridcore[sweeps]'"
SPEC_KEYS = (
    "preset",
    "set",
    "grid",
    "cases",
    "seeds",
    "steps",
    "score_every",
    "score_trajectories",
    "reuse",
)
TOP_FIELDS = ("steps", "score_every", "score_trajectories")
FINAL_NBINS = 32  # the paper's ratemap resolution, for the final scoring
FINAL_SHUFFLES = 5  # field shuffles per unit behind each trial's shuffle threshold
STATUS_FILE = "sweep_trial.json"
FINISHED = ("done", "diverged")  # statuses a rerun skips; "failed" trials are retried
# What a trial's final scoring measures: these, then LATER_METRICS.
SCORE_METRICS = (
    "loss",
    "position_error_cm",
    "heading_error_deg",
    "grid_fraction_037",
    "grid_fraction_080",
    "grid_fraction_037_gridcore",
    "grid_fraction_080_gridcore",
    "shuffle_threshold",
    "median_scale_m",
)
# Path integration over 15 s (gridcore.analysis.real_paths.long_path_errors). A record scored by an
# older gridcore lacks them: they are measured on its saved network when another sweep reuses it.
LATER_METRICS = (
    "position_error_15s_cm",
    "untrained_error_15s_cm",
    "real_path_error_15s_cm",
    "untrained_real_path_error_15s_cm",
)
# Metrics of results.csv, after the identifying columns (trial, condition, fields, seed).
SCORE_METRICS += LATER_METRICS
RESULT_COLUMNS = ["status", "step", "wall_s", *SCORE_METRICS, "error"]
# What a scoring during training contributes to curves.csv.
TRAINING_METRICS = (
    "loss",
    "position_error_cm",
    "heading_error_deg",
    "grid_fraction_037",
    "grid_fraction_080",
    "elapsed_s",
)
# What the final scoring contributes to curves.csv.
FINAL_METRICS = (*SCORE_METRICS, "wall_s")
CURVE_COLUMNS = ["trial", "condition", "seed", "step", "source", "metric", "value"]


# --------------------------------------------------------------------------------------------
# The spec


@dataclass(frozen=True)
class Trial:
    """One network of a sweep: a condition (grid point and case), a seed, its config."""

    name: str  # also its directory under DIR/trials/
    condition: str
    seed: int
    values: dict[str, Any]  # the varied fields (grid and case) with this trial's values
    cfg: TrainConfig
    run_dir: Path


@dataclass(frozen=True)
class Spec:
    """A validated sweep spec (see the module's docstring for the YAML)."""

    preset: str
    set: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list] = field(default_factory=dict)
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    seeds: list[int] = field(default_factory=lambda: [0])
    steps: int | None = None
    score_every: int | None = None
    score_trajectories: int | None = None
    # Sibling sweeps (directories next to this one) whose finished trials with the very same
    # training config and seed stand in for this sweep's, instead of training them again.
    reuse: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def varied_fields(self) -> list[str]:
        """Every grid field, then every field a case sets (the table's condition columns)."""
        names = list(self.grid)
        for values in self.cases.values():
            names += [k for k in values if k not in names]
        return names

    def conditions(self) -> list[tuple[str, dict[str, Any]]]:
        """(name, overrides) of every grid point x case, in the spec's order."""
        points = [
            dict(zip(self.grid, combo, strict=True))
            for combo in itertools.product(*self.grid.values())
        ] or [{}]
        cases = list(self.cases.items()) or [(None, {})]
        out = []
        for case, values in cases:
            for point in points:
                parts = ([case] if case is not None else []) + [
                    f"{k}={_fmt(v)}" for k, v in point.items()
                ]
                out.append((", ".join(parts) or self.preset, {**point, **values}))
        return out

    def base_config(self) -> dict[str, Any]:
        top = {k: getattr(self, k) for k in TOP_FIELDS if getattr(self, k) is not None}
        return {**asdict(get_preset(self.preset)), **self.set, **top}

    def trials(self, out: str | Path) -> list[Trial]:
        """Every trial, its config checked by TrainConfig (a bad value is a GridcoreError)."""
        trials_dir = Path(out).resolve() / "trials"
        base = self.base_config()
        found: list[Trial] = []
        names: set[str] = set()
        for condition, overrides in self.conditions():
            try:
                cfg = TrainConfig.from_dict({**base, **overrides})
            except GridcoreError as err:
                raise GridcoreError(f"condition {condition!r}: {err}") from None
            cfg = _sweep_logging(cfg)
            values = {k: getattr(cfg, k) for k in self.varied_fields()}
            slug = re.sub(r"[^A-Za-z0-9._=,+-]+", "_", condition.replace(", ", ","))
            for seed in self.seeds:
                name = f"{slug}-seed{seed}"
                if name in names:
                    raise GridcoreError(f"two trials would share the directory name {name!r}")
                names.add(name)
                found.append(
                    Trial(name, condition, seed, values, replace(cfg, seed=seed), trials_dir / name)
                )
        return found


def _fmt(value: Any) -> str:
    return str(value)


def _sweep_logging(cfg: TrainConfig) -> TrainConfig:
    """Log at every scoring step (the loop scores only on logged steps)."""
    if cfg.score_every and cfg.score_every % cfg.log_every:
        return replace(cfg, log_every=math.gcd(cfg.log_every, cfg.score_every))
    return cfg


_FIELD_TYPES = {f.name: f.type for f in fields(TrainConfig)}
_TYPE_NAMES = {"int": "an integer", "float": "a number", "bool": "true or false", "str": "a string"}


def _coerce(where: str, name: str, value: Any) -> Any:
    """``value`` as the type of TrainConfig field ``name`` (YAML reads 1e-4 as a string)."""
    if name not in _FIELD_TYPES:
        close = difflib.get_close_matches(str(name), _FIELD_TYPES, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "see `python -m gridcore presets tiny`"
        raise GridcoreError(f"{where}: unknown config field {name!r} ({hint})")
    if name == "seed":
        raise GridcoreError(f"{where}: give seeds with the top-level `seeds`, not as a field")
    kind = _FIELD_TYPES[name]
    ok = None
    if kind == "bool" and isinstance(value, bool):
        ok = value
    elif kind in ("int", "float") and not isinstance(value, bool):
        try:
            number = float(value) if isinstance(value, str) else value
        except ValueError:
            number = None
        if isinstance(number, int | float):
            if kind == "float":
                ok = float(number)
            elif float(number).is_integer():
                ok = int(number)
    elif kind == "str" and isinstance(value, str):
        ok = value
    if ok is None:
        raise GridcoreError(f"{where}: {name} must be {_TYPE_NAMES[kind]}, got {value!r}")
    return ok


def _mapping(where: str, value: Any) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise GridcoreError(f"{where} must be a mapping of config fields, got {value!r}")
    return value


def spec_from_dict(data: Any, source: str = "spec") -> Spec:
    """Check a parsed spec and return it as a :class:`Spec`; any problem is one GridcoreError."""
    if not isinstance(data, dict):
        raise GridcoreError(f"{source}: a sweep spec must be a YAML mapping")
    unknown = [k for k in data if k not in SPEC_KEYS]
    if unknown:
        raise GridcoreError(f"{source}: unknown key {unknown[0]!r} (known: {', '.join(SPEC_KEYS)})")
    preset = data.get("preset")
    if preset not in PRESETS:
        raise GridcoreError(f"{source}: preset must be one of {', '.join(PRESETS)}, got {preset!r}")
    fixed = {
        k: _coerce(f"{source}: set", k, v)
        for k, v in _mapping(f"{source}: set", data.get("set")).items()
    }
    top = {}
    for key in TOP_FIELDS:
        if data.get(key) is not None:
            if key in fixed:
                raise GridcoreError(f"{source}: {key} is given both at the top and under set")
            top[key] = _coerce(source, key, data[key])
    grid: dict[str, list] = {}
    if "grid" in data:
        raw = _mapping(f"{source}: grid", data["grid"])
        if not raw:
            raise GridcoreError(f"{source}: the grid is empty (give fields with lists, or drop it)")
        for name, values in raw.items():
            values = values if isinstance(values, list) else [values]
            if not values:
                raise GridcoreError(f"{source}: grid.{name} is an empty list")
            grid[name] = [_coerce(f"{source}: grid", name, v) for v in values]
            if len(set(map(repr, grid[name]))) != len(grid[name]):
                raise GridcoreError(f"{source}: grid.{name} repeats a value")
    cases: dict[str, dict] = {}
    if "cases" in data:
        raw = data["cases"]
        if not isinstance(raw, dict) or not raw:
            raise GridcoreError(f"{source}: cases must be a non-empty mapping of named settings")
        for case, values in raw.items():
            where = f"{source}: cases.{case}"
            cases[str(case)] = {k: _coerce(where, k, v) for k, v in _mapping(where, values).items()}
            clash = [k for k in cases[str(case)] if k in grid]
            if clash:
                raise GridcoreError(f"{where} sets {clash[0]}, which the grid already varies")
    seeds = data.get("seeds", [0])
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise GridcoreError(f"{source}: seeds must be a positive count or a list, got {seeds}")
        seeds = list(range(seeds))
    if (
        not isinstance(seeds, list)
        or not seeds
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in seeds)
        or len(set(seeds)) != len(seeds)
    ):
        raise GridcoreError(
            f"{source}: seeds must be a count N or a list of distinct seeds >= 0, got {seeds!r}"
        )
    reuse = data.get("reuse") or []
    reuse = [reuse] if isinstance(reuse, str) else reuse
    if not isinstance(reuse, list) or not all(
        isinstance(r, str) and r and "/" not in r and r not in (".", "..") for r in reuse
    ):
        raise GridcoreError(
            f"{source}: reuse must list the names of sibling sweep directories, got {reuse!r}"
        )
    spec = Spec(str(preset), fixed, grid, cases, seeds, **top, reuse=list(reuse))
    try:
        spec.trials(".")  # every trial's config must be valid before anything runs
    except GridcoreError as err:
        raise GridcoreError(f"{source}: {err}") from None
    return spec


def load_spec(path: str | Path) -> Spec:
    """Read and check a YAML sweep spec."""
    import yaml  # the sweeps and book extras

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise GridcoreError(f"{path}: no such spec file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise GridcoreError(f"{path}: cannot read the spec ({err})") from None
    except yaml.YAMLError as err:
        raise GridcoreError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    return spec_from_dict(data, str(path))
