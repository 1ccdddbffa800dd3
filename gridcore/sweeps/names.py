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
    "real rat": "the real rat's motion",
    "DoG 12 cm": "centre-surround targets 12 cm wide",
    "3 ensembles 1-9 cm": "three ensembles 1, 3 and 9 cm wide",
    "DoG 12 cm, 20k steps": "centre-surround targets at epsilon 1e-10",
    "DoG 12 cm, eps 1e-14, 20k steps": "centre-surround targets at epsilon 1e-14",
    "sliced": "sliced 8 + 14 cm",
    "shared": "shared 8 + 14 cm",
    "sliced 8+16 cm": "sliced 8 + 16 cm",
    "sliced 6+14 cm": "sliced 6 + 14 cm",
}

_OPTIMISERS = {
    "tf1_rmsprop no clip": "TF1 RMSProp without the clip",
    "tf1_rmsprop": "TF1 RMSProp",
    "torch_rmsprop": "PyTorch RMSProp",
    "adam": "Adam",
    "sgd": "SGD",
}


def plain_name(condition) -> str:
    """A condition in plain words (:data:`PLAIN_NAMES`; an optimiser and its learning rate
    spelt out); any other condition as it is, e.g. ``bottleneck 64``."""
    text = str(condition)
    if text in PLAIN_NAMES:
        return PLAIN_NAMES[text]
    size = re.fullmatch(r"(hidden|bottleneck) (\d+)", text)
    if size:
        return f"{size[2]} LSTM units" if size[1] == "hidden" else f"a bottleneck of {size[2]}"
    family, sep, lr = text.partition(" lr ")
    if sep and family in _OPTIMISERS:
        return f"{_OPTIMISERS[family]} at lr {lr}"
    return text


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
    "paper-rat-levers-15s": "paper's rat, DoG, 15 s",
    "narrow-dog": "narrow DoG",
    "narrow-dog-control": "narrow DoG, raw code",
    "narrow-dog-15s": "narrow DoG, 15 s",
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
