"""Conditions and sweeps of the shipped experiments in plain words, as the book names them."""

from __future__ import annotations

import re

#: Conditions of the shipped sweeps in plain words, as the answers name them.
PLAIN_NAMES: dict[str, str] = {
    "dropout=0.0": "no dropout",
    "dropout=0.25": "dropout 0.25",
    "dropout=0.5": "dropout 0.5",
    "256 cells": "256 place cells",
    "1024 cells": "1024 place cells",
    "1024 cells, 16k steps": "1024 place cells over 16 000 steps",
    "1024 cells, lr 3e-4": "1024 place cells at lr 3e-4",
    "sigma 5 cm": "place cells 5 cm wide",
    "sigma 10 cm": "place cells 10 cm wide",
    "hidden 128, bottleneck 256": "the preset's 128 LSTM units and bottleneck of 256",
    "lstm": "the LSTM",
    "gru": "a GRU",
    "rnn tanh": "a tanh RNN",
    "rnn relu": "a ReLU RNN",
    "attention": "attention",
    "egocentric": "egocentric velocity",
    "allocentric": "allocentric velocity",
    "allocentric, head direction off": "allocentric velocity without head direction",
    "egocentric, curriculum": "egocentric velocity and a curriculum",
    "allocentric, curriculum": "allocentric velocity and a curriculum",
    "fast rat": "the fast rat",
    "paper rat": "the paper's rat",
    "real rat": "the rat fitted to the real recording",
    "DoG 12 cm": "centre-surround targets 12 cm wide",
    "3 ensembles 1-9 cm": "three ensembles 1, 3 and 9 cm wide",
    "DoG 12 cm, 20k steps": "centre-surround targets at epsilon 1e-10",
    "DoG 12 cm, eps 1e-14, 20k steps": "centre-surround targets at epsilon 1e-14",
    "sliced": "sliced 8 + 14 cm",
    "shared": "shared 8 + 14 cm",
    "sliced 8+16 cm": "sliced 8 + 16 cm",
    "sliced 6+14 cm": "sliced 6 + 14 cm",
    # The settings compared at both time bases (gridcore.sweeps.time_base.RERUNS).
    "paper's rat, paper's input, quick": "the paper's rat with its own input",
    "paper's rat, allocentric input, quick": "the paper's rat with allocentric input",
    "paper's rat, DoG 12 cm, allocentric, eps 1e-10": (
        "the paper's rat, centre-surround targets 12 cm wide, allocentric input, epsilon 1e-10"
    ),
    "paper's rat, DoG 12 cm, paper's input, eps 1e-10": (
        "the paper's rat, centre-surround targets 12 cm wide, its own input, epsilon 1e-10"
    ),
    "paper's rat, DoG 12 cm, allocentric, eps 1e-14, 20k steps": (
        "the paper's rat, centre-surround targets 12 cm wide, allocentric input, epsilon 1e-14"
    ),
    "two ensembles, split read-out": "two ensembles, each read out from its own half",
    "two ensembles, shared read-out": "two ensembles, both read out from every unit",
}

#: Conditions on a tick label, where their plain words are too long or leave out what differs.
SHORT_NAMES: dict[str, str] = {
    "real rat": "rat fitted to recording",
    "256 cells": "256 cells, 1 cm wide",
    "1024 cells, 16k steps": "1024 cells, 16 000 steps",
    "1024 cells, lr 3e-4": "1024 cells, lr 3e-4",
    "hidden 128, bottleneck 256": "bottleneck of 256",
    "DoG 12 cm": "centre-surround 12 cm",
    "3 ensembles 1-9 cm": "ensembles 1, 3, 9 cm",
    "DoG 12 cm, 20k steps": "centre-surround, ε 1e-10",
    "DoG 12 cm, eps 1e-14, 20k steps": "centre-surround, ε 1e-14",
    "allocentric, head direction off": "allocentric, no head direction",
    "egocentric, curriculum": "egocentric, curriculum",
    "allocentric, curriculum": "allocentric, curriculum",
}

_OPTIMISERS = {
    "tf1_rmsprop no clip": "TF1 RMSProp without the clip",
    "tf1_rmsprop": "TF1 RMSProp",
    "torch_rmsprop": "PyTorch RMSProp",
    "adam": "Adam",
    "sgd": "SGD",
}


def plain_name(condition) -> str:
    """A condition in plain words (:data:`PLAIN_NAMES`; an optimiser, alone or with its learning
    rate, spelt out); any other condition as it is, e.g. ``bottleneck 64``."""
    text = str(condition)
    if text in PLAIN_NAMES:
        return PLAIN_NAMES[text]
    if text in _OPTIMISERS:
        return _OPTIMISERS[text]
    size = re.fullmatch(r"(hidden|bottleneck) (\d+)", text)
    if size:
        return f"{size[2]} LSTM units" if size[1] == "hidden" else f"a bottleneck of {size[2]}"
    family, sep, lr = text.partition(" lr ")
    if sep and family in _OPTIMISERS:
        return f"{_OPTIMISERS[family]} at lr {lr}"
    return text


def short_name(condition) -> str:
    """A condition in words for a tick label: :data:`SHORT_NAMES`, else its plain name
    (:func:`plain_name`) without a leading article."""
    text = str(condition)
    if text in SHORT_NAMES:
        return SHORT_NAMES[text]
    return plain_name(text).removeprefix("the ").removeprefix("a ")


#: Each shipped sweep (its folder under ``experiments/``) in a few words, for axis labels.
SWEEP_NAMES: dict[str, str] = {
    "headline-fast": "fast preset",
    "headline-quick": "quick preset",
    "headline-quick-wide": "quick, wide cells",
    "quick-3x3": "dropout, 3 seeds",
    "dropout": "dropout",
    "place-cells": "place cells",
    "batch-size": "batch size",
    "optimiser": "optimiser",
    "network-size": "network size",
    "hd-off": "head direction",
    "core": "recurrent core",
    "inputs": "velocity input",
    "grid-scale": "rat speed & targets",
    "long-paths": "long paths",
    "long-paths-15s": "long paths, 15 s",
    "paper-rat": "paper's rat",
    "paper-rat-15s": "paper's rat, 15 s",
    "paper-rat-levers-15s": "paper's rat, centre-surround, 15 s",
    "narrow-dog": "narrow targets",
    "narrow-dog-control": "narrow targets, code not standardised",
    "narrow-dog-15s": "narrow targets, 15 s",
    "modules": "two ensembles",
    "modules-widths": "two ensembles, widths",
    "modules-15s": "two ensembles, 15 s",
    "paper-recipe": "paper's recipe",
    "paper-15s": "paper's recipe, 15 s",
}


def sweep_name(sweep: str) -> str:
    """A shipped sweep's folder name in a few words (:data:`SWEEP_NAMES`; "15 s" marks a rerun
    on the paper's 15 s examples); any other name as it is."""
    return SWEEP_NAMES.get(str(sweep), str(sweep))
