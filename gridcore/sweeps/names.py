"""Conditions of the shipped sweeps in plain words, as the book's answers name them."""

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
