import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from gridcore.cli import main
from gridcore.errors import GridcoreError
from gridcore.navigation import vectors as nv
from gridcore.world.trajectories import Trajectories, simulate

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "checkpoints" / "grid-lstm"
HALF = 1.1  # half the 2.2 m box


def grid_code(pos: torch.Tensor, wavelengths=(3.0, 5.0)) -> torch.Tensor:
    """A synthetic grid code: cos and sin of the phase along 3 directions 60 degrees apart,
    at each wavelength (m): 12 units for 2 scales."""
    feats = []
    for lam in wavelengths:
        for angle in (0.0, math.pi / 3, 2 * math.pi / 3):
            k = 2 * math.pi / lam * torch.tensor([math.cos(angle), math.sin(angle)])
            phase = pos @ k
            feats += [torch.cos(phase), torch.sin(phase)]
    return torch.stack(feats, dim=-1)


def pairs(n: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    now = (torch.rand(n, 2, generator=g) * 2 - 1) * HALF
    goal = (torch.rand(n, 2, generator=g) * 2 - 1) * HALF
    return now, goal


def test_linear_readout_recovers_displacement_from_a_synthetic_grid_code():
    now, goal = pairs(4000)
    x = torch.cat([grid_code(now), grid_code(goal)], dim=-1)
    y = goal - now
    near = y.norm(dim=-1) < 1.0  # train on goals closer than 1 m
    readout = nv.fit_linear(x[:3000][near[:3000]], y[:3000][near[:3000]], ridge=1e-6)
    err = 100 * (readout(x[3000:]) - y[3000:]).norm(dim=-1)
    far = y[3000:].norm(dim=-1) > 1.5
    assert err.mean() < 3.0
    assert far.sum() > 50 and err[far].mean() < 5.0  # beyond any training distance
    mlp = nv.fit_mlp(x[:3000], y[:3000], steps=300)
    assert (100 * (mlp(x[3000:]) - y[3000:]).norm(dim=-1)).mean() < 6.0


def test_linear_readout_cannot_unwrap_grids_finer_than_the_box():
    now, goal = pairs(4000)
    x = torch.cat([grid_code(now, (0.5, 0.8)), grid_code(goal, (0.5, 0.8))], dim=-1)
    readout = nv.fit_linear(x[:3000], (goal - now)[:3000])
    assert (100 * (readout(x[3000:]) - (goal - now)[3000:]).norm(dim=-1)).mean() > 50


def test_ridge_fit_is_exact_on_a_linear_map():
    now, goal = pairs(500)
    x = torch.cat([now, goal], dim=-1)
    readout = nv.fit_linear(x, goal - now, ridge=1e-9)
    assert torch.allclose(readout(x), goal - now, atol=1e-4)
    with pytest.raises(ValueError):
        nv.fit_linear(x[:1], (goal - now)[:1])


def test_pairs_index_earlier_moments_or_other_trajectories():
    gen = torch.Generator().manual_seed(0)
    now, goal = nv.sample_pairs(7, 10, 2000, gen, same_fraction=0.5)
    same = now // 10 == goal // 10
    assert 0.45 < same.float().mean() < 0.55
    assert (goal[same] % 10 < now[same] % 10).all()
    code = torch.arange(7 * 10 * 3, dtype=torch.float32).reshape(7, 10, 3)
    x = nv.pair_inputs(code, now, goal)
    assert x.shape == (2000, 6) and torch.equal(x[:, 3:], code.reshape(-1, 3)[goal])


def test_stepping_the_network_matches_running_it_on_the_whole_path(tiny_network):
    net = tiny_network
    traj = simulate(4, 12, net.motion, generator=torch.Generator().manual_seed(0))
    full, logits, _ = nv.run_codes(net, traj)
    _, _, state = nv.run_codes(net, _head(traj, 7))
    zeros = torch.zeros(4, 2)
    ep = nv.Episodes(
        start_pos=zeros,
        start_hd=zeros[:, 0],
        goal_pos=zeros,
        goal_code=full[:, 6],
        goal_logits=logits[:, 6],
        now_code=full[:, 6],
        now_logits=logits[:, 6],
        state=state,
    )
    policy = nv.NetworkPolicy(net, ep, lambda code, lg: code[:, :2])
    for t in range(7, 12):
        policy.update(traj.velocity[:, t])
        assert torch.allclose(policy.code, full[:, t], atol=1e-5)
        assert torch.allclose(policy.logits, logits[:, t], atol=1e-4)


def _head(traj: Trajectories, steps: int) -> Trajectories:
    """The first ``steps`` steps of ``traj``."""
    return Trajectories(
        traj.init_pos,
        traj.init_hd,
        traj.velocity[:, :steps],
        traj.target_pos[:, :steps],
        traj.target_hd[:, :steps],
        traj.velocity_xy[:, :steps],
    )


def test_lesions_silence_exactly_the_chosen_units(tiny_network):
    scores = np.array([0.1, 0.9, -0.2, 0.5, 0.4, 1.2])
    assert list(nv.lesion_units(scores, 3, "grid")) == [5, 1, 3]
    rnd = nv.lesion_units(scores, 4, "random", np.random.default_rng(0))
    assert len(set(rnd)) == 4 and set(rnd) <= set(range(6))
    assert list(nv.grid_units(scores)) == [5, 1, 3, 4]
    code = torch.ones(2, 5, 6)
    out = nv.silence(code, [5, 1, 3])
    assert (out[..., [5, 1, 3]] == 0).all() and (out[..., [0, 2, 4]] == 1).all()
    assert (code == 1).all()  # a copy
    with pytest.raises(ValueError):
        nv.lesion_units(scores, 7, "grid")
    net = tiny_network
    ep = nv.explore(net, 3, explore_steps=10)
    policy = nv.NetworkPolicy(net, ep, lambda code, lg: code, lesion=np.array([0, 2]))
    policy.update(torch.tensor([[1.0, 0.0, 1.0]] * 3))
    seen = policy(torch.zeros(3, 2))
    assert (seen[:, [0, 2]] == 0).all() and (seen[:, 1] != 0).all()


def test_navigation_refuses_the_attention_core(tiny_network):
    net = tiny_network
    net.model.core_name = "attention"
    with pytest.raises(GridcoreError, match="recurrent core"):
        nv.explore(net, 2)


def test_a_readout_table_keeps_one_readout_with_short_columns():
    d = nv.Decoding(
        {("grid", "linear"): np.array([10.0, 20.0, 60.0]), ("grid", "MLP"): np.array([1.0] * 3),
         ("place code", "linear"): np.array([5.0, 5.0, 90.0])},
        np.array([0.1, 0.3, 1.2]), 1.0, {"grid": 3},
    )  # fmt: skip
    linear = d.readout_table("linear")
    assert list(linear.columns) == ["grid", "place code", "test pairs"]
    assert linear.columns.name == "goal distance"
    assert linear.loc["0–25 cm", "grid"] == 10.0 and linear.loc["100–150 cm", "place code"] == 90.0
    assert not any("beyond" in label for label in linear.index)
    assert d.readout_table("MLP")["grid"].dropna().eq(1.0).all()
    assert linear["test pairs"].sum() == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["navigate", "{tmp}/missing"], "no such run directory"),
        (["navigate", "{tmp}", "--episodes", "0"], "positive integer"),
        (["navigate", "{tmp}", "--episodes", "-3"], "positive integer"),
        (["navigate", "{tmp}"], "no trained network"),
    ],
)
def test_navigate_bad_input_gives_one_line(tmp_path, capsys, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gridcore: error:") and message in err[0]


@pytest.mark.skipif(not SHIPPED.is_dir(), reason="no shipped checkpoint")
def test_navigate_on_the_shipped_network(capsys):
    assert main(["navigate", str(SHIPPED), "--episodes", "20", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for agent in ("grid", "place", "random", "oracle"):
        assert 0 <= out[f"{agent}_success_rate"] <= 1
        assert f"{agent}_path_ratio" in out
    assert out["oracle_success_rate"] == 1.0 and out["n_grid_units"] > 0
    for agent in ("grid", "place", "route", "random", "oracle"):
        for what in ("success_rate", "door_first_rate", "gap_first_rate"):
            assert 0 <= out[f"shortcut_{agent}_{what}"] <= 1
    assert out["shortcut_oracle_success_rate"] > 0.9 and out["shortcut_episodes"] == 20
    assert out["shortcut_mean_closed_path_m"] > out["shortcut_mean_open_path_m"]


def test_the_half_split_fits_in_the_west_and_tests_in_the_east(tiny_network, monkeypatch):
    seen = {}
    real = nv.fit_linear

    def spy(x, y, ridge):
        seen.setdefault("train_rows", len(x))
        return real(x, y, ridge)

    monkeypatch.setattr(nv, "fit_linear", spy)
    d = nv.decode_goal_vectors(
        tiny_network,
        np.array([0, 1]),
        n_trajectories=8,
        seq_len=20,
        n_pairs=400,
        mlp_steps=0,
        split="half",
        inputs=("true position",),
    )
    assert d.split == "half" and d.train_distance == math.inf
    assert 0 < seen["train_rows"] < 400 and 0 < len(d.distances_m) < 400
    # The true-position read-out is a difference of positions: exact in the unseen half too.
    assert d.mean_error("true position", "linear") < 1.0
    assert "(beyond training)" not in " ".join(d.table().index)
    with pytest.raises(GridcoreError, match="split must be one of distance, half"):
        nv.decode_goal_vectors(tiny_network, np.array([0]), split="west")
