"""Stacked training: M networks as one compute what M separate networks compute, train as M
separate runs train, and leave M ordinary run directories that resume exactly."""

from __future__ import annotations

import math
import shutil

import pytest
import torch
from safetensors.torch import load_file

import gridcore.training.train
from gridcore.errors import DivergedError, GridcoreError
from gridcore.net import task
from gridcore.net.config import get_preset
from gridcore.net.runs import load_run, read_history
from gridcore.training.stacked import (
    OptimizerView,
    StackedNetwork,
    _LSTMSequence,
    make_generators,
    stack_optimizer_states,
    stack_trajectories,
    stacked_losses,
    stacked_train_step,
)
from gridcore.training.train import TrainResult, train, train_stacked
from gridcore.world.trajectories import TrajectoryStream


def tiny(**kw):
    return get_preset("tiny", **kw)


def models(cfg, seeds):
    out = []
    for seed in seeds:
        torch.manual_seed(seed)
        out.append(task.build(cfg)[0])
    return out


def batches(cfg, seeds, step=0):
    return [
        TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, s, 4).batch(step) for s in seeds
    ]


@pytest.mark.parametrize("impl", ["batched", "per-model"])
@pytest.mark.parametrize("core", ["lstm", "gru", "rnn", "rnn_relu"])
def test_stacked_forward_is_each_networks_forward(core, impl):
    cfg = tiny(core=core)
    nets = models(cfg, [0, 1, 2])
    ens = task.build_ensembles(cfg)
    trajs = batches(cfg, [0, 1, 2])
    stacked = StackedNetwork(nets, core_impl=impl).eval()
    out = stacked(stack_trajectories(trajs).velocity, ens.initial_code(stack_trajectories(trajs)))
    for m, (net, traj) in enumerate(zip(nets, trajs, strict=True)):
        ref = task.run(net.eval(), ens, traj)
        for name in ("hidden", "bottleneck", "place_logits", "hd_logits"):
            assert torch.allclose(getattr(out, name)[m], getattr(ref, name), atol=2e-6), name
    # Unstacking gives back each network's weights.
    for net, weights in zip(nets, stacked.unstack(), strict=True):
        assert all(torch.equal(weights[k], v) for k, v in net.state_dict().items())


@pytest.mark.parametrize("core", ["lstm", "gru", "rnn", "rnn_relu"])
def test_batched_core_has_the_gradients_of_pytorchs_kernels(core):
    """The batched core (the LSTM's back-propagation written out) against PyTorch's fused
    kernels run model by model: the same gradient for every weight."""
    cfg = tiny(core=core, dropout=0.0)
    nets = models(cfg, [0, 1])
    ens = task.build_ensembles(cfg)
    traj = stack_trajectories(batches(cfg, [0, 1]))
    grads = {}
    for impl in ("batched", "per-model"):
        net = StackedNetwork(nets, core_impl=impl)
        place, hd, _ = stacked_losses(net, ens, traj)
        (place + hd).sum().backward()
        grads[impl] = {n: net.weight(n).grad for n in net.names}
    for name, grad in grads["batched"].items():
        assert torch.allclose(grad, grads["per-model"][name], rtol=1e-4, atol=1e-7), name


def test_lstm_backward_passes_gradcheck():
    m, t, b, h = 2, 4, 3, 5
    gen = torch.Generator().manual_seed(0)
    inputs = [
        torch.randn(shape, generator=gen, dtype=torch.float64, requires_grad=True)
        for shape in ((m, t, b, 4 * h), (m, b, h), (m, b, h), (m, 4 * h, h))
    ]
    assert torch.autograd.gradcheck(_LSTMSequence.apply, inputs)


def test_one_stacked_network_is_todays_network_with_its_dropout_masks():
    """M = 1: the same losses as task.losses, up to float rounding, with dropout on, when the
    stack's generator starts where the global RNG is."""
    cfg = tiny()
    (net,) = models(cfg, [5])
    ens = task.build_ensembles(cfg)
    (traj,) = batches(cfg, [5])
    (gen,) = make_generators([torch.get_rng_state()], torch.device("cpu"))
    stacked = StackedNetwork([net]).train()
    place, hd, out = stacked_losses(stacked, ens, stack_trajectories([traj]), [gen])
    ref_place, ref_hd, ref = task.losses(net.train(), ens, traj)
    assert torch.allclose(place[0], ref_place, rtol=1e-6) and torch.allclose(
        hd[0], ref_hd, rtol=1e-6
    )
    assert torch.allclose(out.place_logits[0], ref.place_logits, atol=2e-6)
    assert torch.equal(gen.get_state(), torch.get_rng_state())  # the same draws were made


@pytest.mark.parametrize(
    "change",
    [{}, {"weight_decay_layers": "heads+bottleneck", "use_hd": False}, {"weight_decay": 0.0}],
    ids=["heads", "heads+bottleneck-hd-off", "off"],
)
def test_each_stacked_model_has_its_own_l2_term_and_clipped_read_outs(change):
    cfg = tiny(**{"clip_scope": "heads", "weight_decay": 1e-2, **change})
    nets = models(cfg, [0, 1])
    stacked = StackedNetwork(nets)
    l2 = task.l2_term(stacked, cfg, per_model=True)
    assert l2.shape == (2,)
    for m, net in enumerate(nets):
        torch.testing.assert_close(l2[m], task.l2_term(net, cfg))
        heads = task.clip_params(net, cfg)
        stacked_heads = task.clip_params(stacked, cfg)
        assert len(stacked_heads) == len(heads)
        assert all(torch.equal(s[m], p) for s, p in zip(stacked_heads, heads, strict=True))


def test_optimizer_state_stacks_and_unstacks():
    cfg = tiny(optimizer="adam")
    nets = models(cfg, [0, 1])
    opts = [task.make_optimizer_for(cfg, n) for n in nets]
    ens = task.build_ensembles(cfg)
    for net, opt, traj in zip(nets, opts, batches(cfg, [0, 1]), strict=True):
        task.train_step(net, ens, task.StepSettings(opt, cfg), traj, 0)
    stacked = StackedNetwork(nets)
    opt = task.make_optimizer_for(cfg, stacked)
    stack_optimizer_states(opt, opts, stacked)
    for m, single in enumerate(opts):
        view = OptimizerView(opt, stacked, m).state_dict()["state"]
        for idx, buffers in single.state_dict()["state"].items():
            for name, value in buffers.items():
                assert torch.equal(view[idx][name], value), (idx, name)


def test_stacked_step_gives_each_model_its_own_gradient():
    """A model whose loss is not finite leaves the other models' slices untouched."""
    cfg = tiny(dropout=0.0)
    nets = models(cfg, [0, 1])
    ens = task.build_ensembles(cfg)
    stacked = StackedNetwork(nets)
    with torch.no_grad():
        stacked.weight("hd_head.bias")[1] = float("nan")
    opt = task.make_optimizer_for(cfg, stacked)
    settings = task.StepSettings(opt, cfg)
    res = stacked_train_step(stacked, ens, settings, stack_trajectories(batches(cfg, [0, 1])), 0)
    assert torch.isfinite(res.loss[0]) and not torch.isfinite(res.loss[1])
    assert all(torch.isfinite(p[0]).all() for p in stacked.parameters())


def test_four_stacked_models_train_as_their_separate_runs(tmp_path):
    """The issue's check: M = 4 on the tiny preset, 20 steps, against the separate runs."""
    cfgs = [tiny(steps=20, seed=s, log_every=10, checkpoint_every=20) for s in range(4)]
    results = train_stacked(cfgs, [tmp_path / f"stack{c.seed}" for c in cfgs], progress=False)
    for cfg, res in zip(cfgs, results, strict=True):
        assert isinstance(res, TrainResult) and res.step == 20
        sep = train(cfg, tmp_path / f"alone{cfg.seed}", progress=False)
        assert [r["step"] for r in res.history] == [r["step"] for r in sep.history] == [10, 20]
        for a, b in zip(res.history, sep.history, strict=True):
            assert a["loss"] == pytest.approx(b["loss"], rel=1e-3)
        mine = load_file(tmp_path / f"stack{cfg.seed}" / "model.safetensors")
        theirs = load_file(tmp_path / f"alone{cfg.seed}" / "model.safetensors")
        assert mine.keys() == theirs.keys()
        for key in mine:
            assert torch.allclose(mine[key], theirs[key], atol=1e-5), key
        state = load_file(tmp_path / f"stack{cfg.seed}" / "train_state.safetensors")
        other = load_file(tmp_path / f"alone{cfg.seed}" / "train_state.safetensors")
        assert state.keys() == other.keys()
        assert torch.equal(state["rng.torch"], other["rng.torch"])  # the same dropout draws
        for key in state:
            if key.startswith("optim."):
                assert torch.allclose(state[key], other[key], rtol=1e-4, atol=1e-9), key
        # An ordinary run directory: load_run reads it, the history is on disk.
        model, _, saved, step = load_run(tmp_path / f"stack{cfg.seed}")
        assert step == 20 and saved.seed == cfg.seed
        assert len(read_history(tmp_path / f"stack{cfg.seed}")) == 2
    # Different seeds made different networks.
    a, b = (load_file(tmp_path / f"stack{s}" / "model.safetensors") for s in (0, 1))
    assert not torch.equal(a["bottleneck.weight"], b["bottleneck.weight"])


def test_stacked_runs_resume_exactly_stacked_and_alone(tmp_path):
    cfgs = [tiny(steps=16, seed=s, log_every=4, checkpoint_every=8, data_chunk=4) for s in (3, 4)]
    straight = [tmp_path / f"straight{c.seed}" for c in cfgs]
    split = [tmp_path / f"split{c.seed}" for c in cfgs]
    train_stacked(cfgs, straight, progress=False)
    half = [tiny(steps=8, seed=c.seed, log_every=4, checkpoint_every=8, data_chunk=4) for c in cfgs]
    train_stacked(half, split, progress=False)
    alone = tmp_path / "alone"
    shutil.copytree(split[1], alone)
    train_stacked(cfgs, split, resume=True, progress=False)
    for a_dir, b_dir in zip(straight, split, strict=True):
        a, b = load_file(a_dir / "model.safetensors"), load_file(b_dir / "model.safetensors")
        assert all(torch.equal(a[k], b[k]) for k in a)  # bit for bit
        assert [r["step"] for r in read_history(b_dir)] == [4, 8, 12, 16]
    # The ordinary loop carries a stacked run on (the same data and dropout masks; nn.LSTM
    # rounds differently from the stacked core, so only closely).
    train(cfgs[1], alone, resume=True, progress=False)
    a, b = load_file(straight[1] / "model.safetensors"), load_file(alone / "model.safetensors")
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    assert read_history(alone)[-1]["loss"] == pytest.approx(
        read_history(straight[1])[-1]["loss"], rel=1e-3
    )


def test_a_diverging_model_stops_alone(tmp_path, monkeypatch):
    real = gridcore.training.train.stacked_train_step

    def one_explodes(*args, **kwargs):
        res = real(*args, **kwargs)
        if args[4] >= 6:  # step
            res.loss[1] = float("inf")
        return res

    monkeypatch.setattr(gridcore.training.train, "stacked_train_step", one_explodes)
    cfgs = [tiny(steps=12, seed=s, log_every=4, checkpoint_every=4) for s in range(3)]
    dirs = [tmp_path / str(c.seed) for c in cfgs]
    results = train_stacked(cfgs, dirs, progress=False)
    assert isinstance(results[1], DivergedError) and results[1].step == 6
    assert "diverged at step 6" in str(results[1])
    assert [r.step for r in (results[0], results[2])] == [12, 12]
    assert load_run(dirs[1])[3] == 4  # its last good checkpoint is kept
    assert load_run(dirs[0])[3] == 12


def test_stacked_runs_must_share_all_but_the_seed(tmp_path):
    with pytest.raises(GridcoreError, match=r"every setting but the seed; lr: 0.003 vs 0.001"):
        train_stacked([tiny(seed=0), tiny(seed=1, lr=1e-3)], [tmp_path / "a", tmp_path / "b"])
    with pytest.raises(GridcoreError, match="distinct run directories"):
        train_stacked([tiny(seed=0), tiny(seed=1)], [tmp_path / "a", tmp_path / "a"])


def test_the_batched_core_trains_as_the_separate_runs(tmp_path, monkeypatch):
    """The core a GPU runs (``core_impl="batched"``), through the whole loop on the CPU."""
    monkeypatch.setattr(
        gridcore.training.train,
        "StackedNetwork",
        lambda nets: StackedNetwork(nets, core_impl="batched"),
    )
    cfgs = [tiny(steps=10, seed=s, log_every=10, checkpoint_every=10) for s in (0, 1)]
    results = train_stacked(cfgs, [tmp_path / f"stack{c.seed}" for c in cfgs], progress=False)
    for cfg, res in zip(cfgs, results, strict=True):
        sep = train(cfg, tmp_path / f"alone{cfg.seed}", progress=False)
        assert res.history[-1]["loss"] == pytest.approx(sep.history[-1]["loss"], rel=1e-3)
        mine = load_file(tmp_path / f"stack{cfg.seed}" / "model.safetensors")
        theirs = load_file(tmp_path / f"alone{cfg.seed}" / "model.safetensors")
        assert all(torch.allclose(mine[k], theirs[k], atol=1e-5) for k in mine)
        if cfg.place_readout == "sliced":  # the off-diagonal blocks never leave zero
            off = 1 - task.build(cfg)[0].place_head.mask
            assert torch.all(mine["place_head.weight"] * off == 0)


@pytest.mark.parametrize("impl", ["batched", "per-model"])
def test_networks_without_hd_reading_allocentric_velocity_stack(impl):
    """hd-off and the allocentric input: each stacked model computes its own network's output,
    with no head-direction read-out and no HD term."""
    cfg = tiny(use_hd=False, velocity_input="allocentric", core="rnn_relu")
    nets = models(cfg, [0, 1])
    ens = task.build_ensembles(cfg)
    trajs = batches(cfg, [0, 1])
    stacked = StackedNetwork(nets, core_impl=impl).eval()
    place, hd, out = stacked_losses(stacked, ens, stack_trajectories(trajs))
    assert out.hd_logits is None and torch.equal(hd, torch.zeros(2))
    assert len(stacked.decay_weights()) == 1
    for m, (net, traj) in enumerate(zip(nets, trajs, strict=True)):
        ref_place, _, ref = task.losses(net.eval(), ens, traj)
        assert torch.allclose(out.bottleneck[m], ref.bottleneck, atol=2e-6)
        assert torch.allclose(place[m], ref_place, rtol=1e-5)


@pytest.mark.parametrize(
    "change",
    [
        {"use_hd": False, "velocity_input": "allocentric"},
        {"place_ensembles": 2},
        {"place_ensembles": 2, "place_readout": "sliced"},
    ],
    ids=["hd-off-allocentric", "two-place-ensembles", "sliced-read-out"],
)
def test_variants_train_stacked_as_their_separate_runs(tmp_path, change):
    cfgs = [tiny(steps=10, seed=s, log_every=10, checkpoint_every=10, **change) for s in (0, 1)]
    results = train_stacked(cfgs, [tmp_path / f"stack{c.seed}" for c in cfgs], progress=False)
    for cfg, res in zip(cfgs, results, strict=True):
        sep = train(cfg, tmp_path / f"alone{cfg.seed}", progress=False)
        assert res.history[-1]["loss"] == pytest.approx(sep.history[-1]["loss"], rel=1e-3)
        hd_off = math.isnan(sep.history[-1]["hd_loss"])
        assert hd_off == (not cfg.use_hd) == math.isnan(res.history[-1]["hd_loss"])
        mine = load_file(tmp_path / f"stack{cfg.seed}" / "model.safetensors")
        theirs = load_file(tmp_path / f"alone{cfg.seed}" / "model.safetensors")
        assert mine.keys() == theirs.keys() and ("hd_head.weight" in mine) == cfg.use_hd
        assert mine["place_head.weight"].shape[0] == cfg.n_place * cfg.place_ensembles
        assert all(torch.allclose(mine[k], theirs[k], atol=1e-5) for k in mine)


def test_the_attention_core_is_refused_with_one_clear_error(tmp_path):
    cfgs = [tiny(core="attention", seed=s) for s in (0, 1)]
    dirs = [tmp_path / "a", tmp_path / "b"]
    with pytest.raises(GridcoreError, match="core attention cannot be trained stacked") as err:
        train_stacked(cfgs, dirs, progress=False)
    assert "\n" not in str(err.value) and not any(d.exists() for d in dirs)
    with pytest.raises(GridcoreError, match="cannot be trained stacked"):
        StackedNetwork(models(cfgs[0], [0, 1]))


def test_a_sweep_trains_an_unstackable_core_one_trial_per_pack(tmp_path):
    from gridcore.sweeps.runner import _packs
    from gridcore.sweeps.spec import spec_from_dict

    spec = spec_from_dict(
        {"preset": "tiny", "cases": {"lstm": {"core": "lstm"}, "attn": {"core": "attention"}},
         "seeds": 3}
    )  # fmt: skip
    packs = _packs(spec.trials(tmp_path), 4)
    sizes = sorted((p[0].cfg.core, len(p)) for p in packs.values())
    assert sizes == [("attention", 1)] * 3 + [("lstm", 3)]
