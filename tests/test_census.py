"""The census of a network: its layers recorded on fresh trajectories, typed and tabulated."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from gridcore.analysis.census import (
    best_units,
    census_table,
    conjunctive_table,
    network_census,
    record,
)
from gridcore.net.config import get_preset
from gridcore.net.runs import untrained_network
from gridcore.scoring.celltypes import TYPES


@pytest.fixture(scope="module")
def recording():
    cfg = get_preset("tiny")
    net = untrained_network(cfg, seed=0)
    return cfg, net.model, record(net, n_trajectories=30, batch_size=20, seed=1)


def test_record_has_every_layer_and_the_behaviour(recording):
    cfg, model, rec = recording
    t = 30 * cfg.seq_len
    assert rec.positions.shape == (t, 2) and rec.headings.shape == rec.speeds.shape == (t,)
    assert {k: v.shape for k, v in rec.layers.items()} == {
        "bottleneck": (t, cfg.n_bottleneck),
        "hidden": (t, cfg.n_hidden),
        "cell": (t, cfg.n_hidden),
    }
    assert np.all(np.abs(rec.positions) <= rec.box_width / 2 + 1e-6)
    assert (rec.speeds >= 0).all()
    assert not model.training


def test_the_cell_state_is_the_lstm_s(recording):
    cfg, model, rec = recording
    # h = o * tanh(c): every hidden value is at most |tanh(c)| of its own cell state
    h, c = rec.layers["hidden"], rec.layers["cell"]
    assert np.all(np.abs(h) <= np.abs(np.tanh(c)) + 1e-5)
    assert not np.allclose(h, c)


def test_the_census_tables(recording):
    _, _, rec = recording
    censuses = network_census(rec, n_shuffles=2, nbins=8)
    table = census_table(censuses)
    assert list(table.index.get_level_values("type")[:4]) == list(TYPES)
    assert set(table.index.get_level_values("layer")) == {"bottleneck", "hidden", "cell"}
    assert (table["above null"] <= table["units"]).all()
    conj = conjunctive_table(censuses)
    units = table.groupby("layer", sort=False)["units"].first()
    assert conj[["none", "one", "two or more"]].sum(axis=1).to_dict() == units.to_dict()


def test_a_gru_has_no_cell_state():
    cfg = replace(get_preset("tiny"), core="gru")
    net = untrained_network(cfg, seed=0)
    rec = record(net, n_trajectories=4, seed=1)
    assert set(rec.layers) == {"bottleneck", "hidden"}
    assert isinstance(net.model.core, torch.nn.GRU)


def test_best_units_have_the_highest_score_of_each_type(recording):
    _, _, rec = recording
    c = network_census(rec, n_shuffles=2, nbins=8)["hidden"]
    best = best_units(c)
    assert best["speed"] == int(np.nanargmax(np.abs(c.scores["speed"])))
