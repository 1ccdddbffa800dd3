"""gridcore.shipped: the shipped networks and sweeps by name, or any directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridcore import shipped
from gridcore.errors import GridcoreError

ROOT = Path(__file__).resolve().parents[1]


def test_in_a_checkout_the_artefacts_are_the_repositorys():
    assert shipped.root() == ROOT
    assert shipped.experiments() == ROOT / "experiments"


def test_names_list_what_is_shipped():
    assert {"grid-lstm", "grid-lstm-paper-rat", "grid-lstm-modules"} <= set(shipped.networks())
    assert {"headline-fast", "paper-rat"} <= set(shipped.sweeps())
    assert "trials" not in shipped.sweeps()
    assert {"rl-navigation", "vector-navigation-box"} <= set(shipped.agent_experiments())
    for name in shipped.agent_experiments():
        assert name not in shipped.sweeps()  # its tables are not a sweep's


def test_a_name_gives_the_shipped_directory():
    assert shipped.network("grid-lstm") == ROOT / "checkpoints" / "grid-lstm"
    assert (shipped.sweep("paper-rat") / "results.csv").is_file()
    assert (shipped.agent_experiment("rl-navigation") / "navigation.csv").is_file()


def test_a_directory_is_taken_as_it_is(tmp_path):
    assert shipped.network(tmp_path) == tmp_path
    assert shipped.sweep(str(tmp_path)) == tmp_path


def test_anything_else_is_one_clear_error():
    with pytest.raises(GridcoreError, match=r"grid-lsmt is neither .* \(shipped: grid-lstm"):
        shipped.network("grid-lsmt")
    with pytest.raises(GridcoreError, match="neither a directory nor a shipped sweep"):
        shipped.sweep("no-such-sweep")
    with pytest.raises(GridcoreError, match="nor a shipped agents experiment .*rl-navigation"):
        shipped.agent_experiment("rl-nav")


def test_every_shipped_network_has_what_the_wheel_carries():
    for name in shipped.networks():
        folder = shipped.network(name)
        for pattern in shipped.NETWORK_FILES:
            assert list(folder.glob(pattern)), f"{name}: no {pattern}"
