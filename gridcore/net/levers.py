"""A training config's settings in plain words, each with the chapter that explains it.

:func:`levers` lists where a config departs from another (by default the paper's recipe,
``PRESETS["paper"]``): the setting's name in words, its value in both, and the book's chapter
about it. The book's chapter on the shipped networks shows one such table per network. A
setting that does not apply to a config (the width ratio of a single ensemble) reads "–".
:func:`in_words` says one setting and its value in words, for the table of how each shipped
network was trained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import pandas as pd

from gridcore.net.config import PRESETS, TrainConfig
from gridcore.world.trajectories import get_motion


def _cm(value: float) -> str:
    return f"{100 * value:g} cm"


_RATS = {
    "paper": "the paper's",
    "sorscher": "Sorscher et al.'s, about 6 times (2π) faster",
    "sargolini": "fitted to a real rat",
}


def _rat(name: object) -> str:
    """A motion model in words, with the mean speed it is set to (m/s)."""
    return f"{_RATS.get(str(name), str(name))} (mean speed set to {get_motion(str(name)).mean_speed:.2f} m/s)"


def _seconds(cfg: TrainConfig) -> str:
    return f"{cfg.trajectory_seconds:g} s in {cfg.seq_len} steps of {cfg.step_time:g} s"


@dataclass(frozen=True)
class Lever:
    """One setting: its name in words, how to say a value, the chapter about it."""

    words: str
    say: Callable[[object], str] | dict
    chapter: str
    applies: Callable[[TrainConfig], bool] | None = None

    def value(self, v, cfg: TrainConfig | None = None) -> str:
        """``v`` in words; "–" where the setting does not apply to ``cfg``."""
        if cfg is not None and self.applies is not None and not self.applies(cfg):
            return NOT_APPLICABLE
        if isinstance(self.say, dict):
            return self.say.get(v, str(v))
        return self.say(v)


NOT_APPLICABLE = "–"


def _several_ensembles(cfg: TrainConfig) -> bool:
    return cfg.place_ensembles > 1


LEVERS: dict[str, Lever] = {
    "motion": Lever("the rat", _rat, "02_trajectories"),
    "velocity_input": Lever(
        "what it reads each step",
        {"egocentric": "speed and turn", "allocentric": "velocity (vx, vy) in the room"},
        "15_grid_scale",
    ),
    "place_kind": Lever(
        "place-cell targets",
        {"gaussian": "softmax of Gaussians", "dog": "centre-surround (difference of softmaxes)"},
        "15_grid_scale",
    ),
    "place_sigma": Lever("place-cell width", _cm, "01_place_cells"),
    "place_ensembles": Lever("place-cell ensembles", str, "15_grid_scale"),
    "place_sigma_ratio": Lever(
        "width ratio between ensembles", lambda v: f"{v:.3g}", "15_grid_scale", _several_ensembles
    ),
    "place_readout": Lever(
        "read-out of the ensembles",
        {"shared": "all from the whole bottleneck", "sliced": "each from its own slice"},
        "15_grid_scale",
        _several_ensembles,
    ),
    "use_hd": Lever("head-direction cells", {True: "yes", False: "none"}, "12_experiments"),
    "init_code": Lever(
        "initial state from",
        {"targets": "the place and HD code", "standardised": "the standardised place code"},
        "15_grid_scale",
    ),
    "anchor_prob": Lever(
        "steps that also show the true code",
        lambda v: f"{100 * v:g} %" if v else "none",
        "11_navigation",
    ),
    "lost_start_prob": Lever(
        "paths started from a wrong code",
        lambda v: f"{100 * v:g} %" if v else "none",
        "11_navigation",
    ),
    "n_bottleneck": Lever("bottleneck units", str, "03_model"),
    "optimizer": Lever("optimiser", str, "16_tf1_rmsprop"),
    "eps": Lever("RMSProp's epsilon", lambda v: f"{v:g}", "16_tf1_rmsprop"),
    "lr": Lever("learning rate", lambda v: f"{v:g}", "04_training"),
    "lr_schedule": Lever(
        "learning-rate schedule",
        {"constant": "constant", "cosine": "cosine, down to a tenth"},
        "04_training",
    ),
    "steps": Lever("training steps", lambda v: f"{v:,}", "04_training"),
    "batch_size": Lever("batch size", str, "12_experiments"),
    "dropout": Lever("dropout on the bottleneck", lambda v: f"{v:g}", "03_model"),
    "apply_weight_decay": Lever("weight decay applied", {True: "yes", False: "no"}, "04_training"),
    "eval_dropout": Lever("dropout when evaluating", {True: "on", False: "off"}, "05_ratemaps"),
    "seed": Lever("seed", str, "10_many_seeds"),
}


# Settings that change a run without being a departure from the paper's recipe: worded for
# the book's table of how each shipped network was trained, never listed by :func:`levers`.
_OTHER: dict[str, Lever] = {
    "ensemble_rng": Lever(
        "place and head-direction centres drawn from",
        {"shared": "one random stream for both", "separate": "a random stream each"},
        "09_results",
    ),
}


def in_words(name: str, value: object, cfg: TrainConfig) -> str:
    """The setting ``name`` of ``cfg`` at ``value`` in words, "the rat: the paper's (...)"; a
    setting the book does not word keeps its config name, "name: value"."""
    lever = LEVERS.get(name) or _OTHER.get(name)
    if lever is None:
        return f"{name}: {value}"
    return f"{lever.words}: {lever.value(value, cfg)}"


def levers(cfg: TrainConfig, reference: TrainConfig | None = None) -> pd.DataFrame:
    """Where ``cfg`` departs from ``reference`` (the paper's recipe): one row per setting with
    columns ``setting`` (in words), ``value``, the reference's value (``paper``, or
    ``reference`` when another is given) and ``chapter``. The time base is one row (duration and
    steps together)."""
    ref = PRESETS["paper"] if reference is None else reference
    rows = []
    if (cfg.trajectory_seconds, cfg.seq_len) != (ref.trajectory_seconds, ref.seq_len):
        rows.append(("a training example", _seconds(cfg), _seconds(ref), "02_trajectories"))
    for f in fields(cfg):
        lever = LEVERS.get(f.name)
        if lever is None:
            continue
        mine = lever.value(getattr(cfg, f.name), cfg)
        theirs = lever.value(getattr(ref, f.name), ref)
        if mine != theirs:
            rows.append((lever.words, mine, theirs, lever.chapter))
    theirs_name = "paper" if reference is None else "reference"
    return pd.DataFrame(rows, columns=["setting", "value", theirs_name, "chapter"])
