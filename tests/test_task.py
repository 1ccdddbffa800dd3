"""The task: building a network from a config, the loss, the L2 term, clipping, the learning
rate schedule and one training step, each checked against a computation written out here."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import torch

from gridcore.errors import GridcoreError
from gridcore.net import task
from gridcore.net.config import get_preset
from gridcore.world.ensembles import Ensembles
from gridcore.world.trajectories import get_motion, simulate


def tiny(**kw):
    return get_preset("tiny", **kw)


def batch(cfg, seed: int = 0, n: int = 4):
    return simulate(
        n, cfg.seq_len, get_motion(cfg.motion), generator=torch.Generator().manual_seed(seed)
    )


def soft_ce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against a target distribution, nats, mean over batch and time."""
    return -(targets * torch.log_softmax(logits, dim=-1)).sum(-1).mean()


# --------------------------------------------------------------------------------------------
# Building


@pytest.mark.parametrize("core", ["lstm", "gru"])
def test_build_follows_the_config(core):
    cfg = tiny(core=core, n_hidden=24, n_bottleneck=20, n_hd=8, eval_dropout=True, dropout=0.3)
    model, ens = task.build(cfg)
    assert model.core_name == core and model.core.hidden_size == 24
    assert model.bottleneck.weight.shape == (20, 24)
    assert model.place_head.out_features == cfg.n_place == ens.place.n_cells
    assert model.hd_head.out_features == 8 == ens.hd.n_cells
    assert model.eval_dropout and model.dropout == 0.3
    want = Ensembles.create(n_place=cfg.n_place, n_hd=8, seed=cfg.ensemble_seed)
    assert torch.equal(ens.place.centres, want.place.centres)
    assert torch.equal(ens.hd.centres, want.hd.centres)
    assert ens.place.sigma == cfg.place_sigma and ens.hd.kappa == cfg.hd_kappa
    half = get_motion(cfg.motion).box_width / 2
    assert ens.place.centres.abs().max() <= half
    assert task.motion_of(cfg) is get_motion(cfg.motion)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is visible")
def test_cuda_without_a_gpu_is_one_clear_error_and_auto_falls_back():
    with pytest.raises(GridcoreError) as err:
        task.device_of(tiny(device="cuda"))
    assert "sees no CUDA device" in str(err.value) and "\n" not in str(err.value)
    assert task.device_of(tiny(device="auto")) == torch.device("cpu")
    assert task.device_of(tiny()) == torch.device("cpu")


def test_build_draws_the_same_weights_on_any_device_and_moves_the_ensembles():
    torch.manual_seed(0)
    a, ens = task.build(tiny())
    torch.manual_seed(0)
    b, moved = task.build(tiny(), device="meta")  # a device with no data: only placement
    assert all(p.device.type == "meta" for p in b.parameters())
    assert moved.place.centres.device.type == "meta" and moved.hd.centres.device.type == "meta"
    assert ens.place.centres.device.type == "cpu"


def test_untrained_model_is_seeded_and_leaves_rng_alone():
    cfg = tiny()
    torch.manual_seed(11)
    before = torch.get_rng_state()
    m1, _ = task.untrained_model(cfg, seed=0)
    assert torch.equal(torch.get_rng_state(), before)
    m2, _ = task.untrained_model(cfg, seed=0)
    m3, _ = task.untrained_model(cfg, seed=1)
    w1, w2, w3 = (m.bottleneck.weight for m in (m1, m2, m3))
    assert torch.equal(w1, w2) and not torch.equal(w1, w3)
    assert not m1.training
    # The weights are those that build() draws after torch.manual_seed(seed), as training does.
    torch.manual_seed(1)
    assert torch.equal(task.build(cfg)[0].bottleneck.weight, w3)


# --------------------------------------------------------------------------------------------
# The loss and its parts


def test_losses_are_soft_target_cross_entropies():
    cfg = tiny()
    torch.manual_seed(0)
    model, ens = task.build(cfg)
    model.eval()
    traj = batch(cfg)
    place_loss, hd_loss, out = task.losses(model, ens, traj)
    logits = model(traj.velocity, ens.initial_code(traj))
    torch.testing.assert_close(out.place_logits, logits.place_logits)
    place_t = ens.place.activations(traj.target_pos)
    hd_t = ens.hd.activations(traj.target_hd)
    torch.testing.assert_close(place_loss, soft_ce(logits.place_logits, place_t))
    torch.testing.assert_close(hd_loss, soft_ce(logits.hd_logits, hd_t))
    # An untrained network is about as good as a uniform guess: log N nats.
    assert place_loss.item() == pytest.approx(math.log(cfg.n_place), rel=0.1)
    assert hd_loss.item() == pytest.approx(math.log(cfg.n_hd), rel=0.1)


def test_l2_term_covers_the_configured_weights():
    torch.manual_seed(0)
    model, _ = task.build(tiny())
    heads = (model.place_head.weight**2).sum() + (model.hd_head.weight**2).sum()
    bottleneck = (model.bottleneck.weight**2).sum()
    wd = 0.25
    torch.testing.assert_close(task.l2_term(model, tiny(weight_decay=wd)), wd / 2 * heads)
    both = tiny(weight_decay=wd, weight_decay_layers="heads+bottleneck")
    torch.testing.assert_close(task.l2_term(model, both), wd / 2 * (heads + bottleneck))
    for off in (tiny(weight_decay=wd, apply_weight_decay=False), tiny(weight_decay=0.0)):
        assert task.l2_term(model, off).item() == 0.0
    # The biases are never decayed.
    task.l2_term(model, both).backward()
    assert model.place_head.bias.grad is None and model.core.weight_ih_l0.grad is None
    torch.testing.assert_close(model.bottleneck.weight.grad, wd * model.bottleneck.weight)


def test_clip_params_are_all_weights_or_the_read_outs():
    model, _ = task.build(tiny())
    assert task.clip_params(model, tiny()) == list(model.parameters())
    heads = task.clip_params(model, tiny(clip_scope="heads"))
    assert {id(p) for p in heads} == {
        id(model.place_head.weight),
        id(model.place_head.bias),
        id(model.hd_head.weight),
        id(model.hd_head.bias),
    }


# --------------------------------------------------------------------------------------------
# The learning rate


def test_cosine_schedule():
    cfg = tiny(lr=1.0, lr_schedule="cosine", lr_final_frac=0.1, steps=101)
    assert task.learning_rate(cfg, 0) == pytest.approx(1.0)
    assert task.learning_rate(cfg, 50) == pytest.approx(0.55)
    assert task.learning_rate(cfg, 100) == pytest.approx(0.1)
    assert math.isclose(task.learning_rate(tiny(lr=0.3), 77), 0.3)


def test_the_cosine_runs_over_lr_horizon_and_then_stays_low():
    cfg = tiny(lr=2.0, lr_schedule="cosine", lr_final_frac=0.25, steps=1000, lr_horizon=11)
    assert task.learning_rate(cfg, 0) == pytest.approx(2.0)
    assert task.learning_rate(cfg, 5) == pytest.approx(0.5 + 0.5 * 1.5)
    for step in (10, 11, 500, 999):
        assert task.learning_rate(cfg, step) == pytest.approx(0.5)
    lrs = [task.learning_rate(cfg, s) for s in range(12)]
    assert all(b < a for a, b in zip(lrs[:10], lrs[1:11], strict=True))
    # Without a horizon the cosine spans the run; a constant schedule ignores the horizon.
    over_run = 0.5 + 0.5 * 1.5 * (1 + math.cos(math.pi * 500 / 999))
    assert task.learning_rate(replace(cfg, lr_horizon=0), 500) == pytest.approx(over_run)
    assert task.learning_rate(replace(cfg, lr_schedule="constant"), 500) == 2.0


# --------------------------------------------------------------------------------------------
# One training step


def hand_step(model, ens, traj, cfg, lr: float, state: dict) -> torch.Tensor:
    """One step written out: soft-target CE + L2, gradients clipped by value, then TF1 RMSProp
    (ms from 1, eps inside the root, momentum on the scaled step)."""
    out = model(traj.velocity, ens.initial_code(traj))
    decayed = [model.place_head.weight, model.hd_head.weight]
    if cfg.weight_decay_layers == "heads+bottleneck":
        decayed.append(model.bottleneck.weight)
    l2 = cfg.weight_decay / 2 * sum((w**2).sum() for w in decayed)
    place_t, hd_t = ens.place.activations(traj.target_pos), ens.hd.activations(traj.target_hd)
    loss = soft_ce(out.place_logits, place_t) + soft_ce(out.hd_logits, hd_t) + l2
    params = list(model.parameters())
    grads = torch.autograd.grad(loss, params)
    heads = {id(p) for m in (model.place_head, model.hd_head) for p in m.parameters()}
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            if cfg.clip_scope == "all" or id(p) in heads:
                g = g.clamp(-cfg.grad_clip, cfg.grad_clip)
            ms, mom = state.setdefault(id(p), (torch.ones_like(p), torch.zeros_like(p)))
            ms.copy_(cfg.rms_decay * ms + (1 - cfg.rms_decay) * g * g)
            mom.copy_(cfg.momentum * mom + lr * g / torch.sqrt(ms + cfg.eps))
            p.sub_(mom)
    return loss.detach()


@pytest.mark.parametrize(
    "changes",
    [{}, {"clip_scope": "heads", "weight_decay_layers": "heads+bottleneck", "weight_decay": 0.1}],
)
def test_train_step_equals_a_hand_written_step(changes):
    cfg = tiny(lr=0.5, lr_schedule="cosine", steps=4, **changes)
    torch.manual_seed(3)
    model, ens = task.build(cfg)
    torch.manual_seed(3)
    mine, _ = task.build(cfg)
    opt = task.make_optimizer_for(cfg, model)
    start = [p.detach().clone() for p in model.parameters()]
    state: dict = {}
    model.train()
    mine.train()
    for step in range(3):
        traj = batch(cfg, seed=step)
        torch.manual_seed(100 + step)  # the same dropout masks in both
        res = task.train_step(model, ens, task.StepSettings(opt, cfg), traj, step)
        torch.manual_seed(100 + step)
        lr = cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / 3)))
        want = hand_step(mine, ens, traj, cfg, lr, state)
        assert res.lr == pytest.approx(lr)
        torch.testing.assert_close(res.loss, want)
        torch.testing.assert_close(res.loss, res.place_loss + res.hd_loss + res.l2)
    moved = max(
        (p.detach() - s).abs().max().item() for p, s in zip(model.parameters(), start, strict=True)
    )
    assert moved > 1e-5  # the comparison below is not between unchanged weights
    for (name, a), b in zip(model.named_parameters(), mine.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7, msg=name)


def test_a_non_finite_loss_stops_the_step_before_the_weights_change():
    cfg = tiny()
    model, ens = task.build(cfg)
    opt = task.make_optimizer_for(cfg, model)
    with torch.no_grad():
        model.place_head.bias[0] = float("nan")
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(FloatingPointError, match="at step 7"):
        task.train_step(model, ens, task.StepSettings(opt, cfg), batch(cfg), 7, check=True)
    for a, b in zip(model.parameters(), before, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0, equal_nan=True)
    assert not opt.state


# --------------------------------------------------------------------------------------------
# The issue-10 variants: head direction off, allocentric velocity, the new cores


def test_without_head_direction_there_is_no_hd_term_and_no_hd_in_the_start_code():
    cfg = tiny(use_hd=False)
    model, ens = task.build(cfg)
    assert ens.init_size == cfg.n_place == model.init_h.in_features
    assert model.hd_head is None and task.clip_params(model, tiny(clip_scope="heads")) == list(
        model.place_head.parameters()
    )
    traj = batch(cfg)
    code = ens.initial_code(traj)
    torch.testing.assert_close(code, ens.place.activations(traj.init_pos))
    place_loss, hd_loss, out = task.losses(model, ens, traj)
    assert out.hd_logits is None and hd_loss.item() == 0.0
    place_t, _ = ens.targets(traj)
    torch.testing.assert_close(place_loss, soft_ce(out.place_logits, place_t))
    pos_err, hd_err = task.decoding_errors(ens, out, traj)
    assert math.isfinite(pos_err) and math.isnan(hd_err)
    opt = task.make_optimizer_for(cfg, model)
    res = task.train_step(model, ens, task.StepSettings(opt, cfg), traj, 0)
    torch.testing.assert_close(res.loss, res.place_loss + res.l2)
    assert task.l2_term(model, cfg) > 0  # the place read-out is still decayed


def test_allocentric_input_feeds_the_cartesian_velocity():
    cfg = tiny(velocity_input="allocentric")
    model, ens = task.build(cfg)
    traj = batch(cfg)
    assert task.model_inputs(model, traj) is traj.velocity_xy
    model.eval()
    ran = task.run(model, ens, traj)
    torch.testing.assert_close(
        ran.place_logits, model(traj.velocity_xy, ens.initial_code(traj)).place_logits
    )
    ego, _ = task.build(tiny())
    assert task.model_inputs(ego, traj) is traj.velocity


@pytest.mark.parametrize(
    "change",
    [
        {"core": "rnn_relu"},
        {"core": "attention"},
        {"use_hd": False},
        {"velocity_input": "allocentric"},
    ],
)
def test_each_variant_learns(change):
    """A few Adam steps on one batch lower the place loss: gradients reach every new part."""
    cfg = tiny(optimizer="adam", lr=1e-2, grad_clip=0.0, dropout=0.0, **change)
    torch.manual_seed(0)
    model, ens = task.build(cfg)
    opt = task.make_optimizer_for(cfg, model)
    traj = batch(cfg, n=10)
    model.train()
    first = task.train_step(model, ens, task.StepSettings(opt, cfg), traj, 0).place_loss.item()
    for step in range(1, 20):
        last = task.train_step(
            model, ens, task.StepSettings(opt, cfg), traj, step
        ).place_loss.item()
    assert last < first - 0.5


def test_each_place_ensemble_has_its_own_read_out_and_cross_entropy():
    cfg = tiny(place_ensembles=2, place_sigma_ratio=3.0)
    torch.manual_seed(0)
    model, ens = task.build(cfg)
    model.eval()
    assert model.place_head.out_features == 2 * cfg.n_place
    assert model.init_h.in_features == 2 * cfg.n_place + cfg.n_hd
    assert [p.sigma for p in ens.places] == pytest.approx([cfg.place_sigma, 3 * cfg.place_sigma])
    traj = batch(cfg)
    place_loss, _, out = task.losses(model, ens, traj)
    n = cfg.n_place
    expected = sum(
        soft_ce(out.place_logits[..., k * n : (k + 1) * n], p.activations(traj.target_pos))
        for k, p in enumerate(ens.places)
    )
    torch.testing.assert_close(place_loss, expected)
    assert place_loss.item() == pytest.approx(2 * math.log(n), rel=0.1)
    with pytest.raises(GridcoreError, match="place_ensembles"):
        tiny(place_ensembles=2, dims=3)


def test_a_sliced_read_out_keeps_each_ensembles_loss_to_its_own_slice():
    cfg = tiny(place_ensembles=2, place_readout="sliced")
    torch.manual_seed(0)
    model, ens = task.build(cfg)
    opt = task.make_optimizer_for(cfg, model)
    traj = batch(cfg)
    task.train_step(model, ens, task.StepSettings(opt, cfg), traj, 0)
    w, half = model.place_head.weight, cfg.n_bottleneck // 2
    assert torch.all(w[: cfg.n_place, half:] == 0) and torch.all(w[cfg.n_place :, :half] == 0)
    with torch.no_grad():  # ensemble 1's logits do not move when slice 0 of the code does
        out = model.place_head(torch.cat([torch.randn(half), torch.zeros(half)]))
        assert torch.allclose(out[cfg.n_place :], model.place_head.bias[cfg.n_place :])
    with pytest.raises(GridcoreError, match="not a multiple of 3"):
        tiny(place_ensembles=3, place_readout="sliced", n_bottleneck=32)
    with pytest.raises(GridcoreError, match="place_readout must be one of shared, sliced"):
        tiny(place_readout="blocks")


# --------------------------------------------------------------------------------------------
# Anchored path integration


def test_an_anchored_network_reads_the_true_code_on_masked_steps_only():
    cfg = tiny(anchor_prob=0.25)
    model, ens = task.build(cfg)
    n_code = ens.n_place_total + cfg.n_hd
    assert model.n_anchor == n_code and model.core.input_size == 3 + n_code
    traj = batch(cfg, n=6)
    mask = torch.zeros(6, cfg.seq_len)
    mask[:, 3] = 1.0
    inputs = task.model_inputs(model, traj, ens, mask)
    torch.testing.assert_close(inputs[..., :3], traj.velocity)
    place, hd = ens.targets(traj)
    torch.testing.assert_close(inputs[:, 3, 3:], torch.cat([place, hd], -1)[:, 3])
    assert inputs[:, :3, 3:].abs().max() == 0 and inputs[:, 4:, 3:].abs().max() == 0
    # Without a mask: drawn at anchor_prob; in evaluation the same mask every time.
    model.eval()
    a = task.model_inputs(model, traj, ens)[..., 3:].abs().sum(-1) > 0
    b = task.model_inputs(model, traj, ens)[..., 3:].abs().sum(-1) > 0
    assert torch.equal(a, b) and 0.1 < a.float().mean() < 0.45
    with pytest.raises(ValueError, match="ensembles"):
        task.model_inputs(model, traj)


def test_an_unanchored_network_is_unchanged_and_bad_anchor_settings_are_refused():
    model, _ = task.build(tiny())
    assert model.n_anchor == 0 and model.core.input_size == 3
    for bad in (
        {"anchor_prob": 1.0},
        {"anchor_prob": -0.1},
        {"anchor_prob": 0.1, "core": "attention"},
    ):
        with pytest.raises(GridcoreError, match="anchor_prob"):
            tiny(**bad)


def test_an_anchored_network_learns_to_use_its_anchors():
    """Trained on anchors at half the steps, the network decodes fresh paths far better with
    anchors at every step than with none."""
    cfg = tiny(
        optimizer="adam", lr=1e-2, grad_clip=0.0, dropout=0.0, anchor_prob=0.5, place_sigma=0.2
    )
    torch.manual_seed(0)
    model, ens = task.build(cfg)
    opt = task.make_optimizer_for(cfg, model)
    stream = task.trajectory_stream(cfg)
    model.train()
    for step in range(150):
        task.train_step(model, ens, task.StepSettings(opt, cfg), stream.batch(step), step)
    model.eval()
    traj = batch(cfg, seed=99, n=64)
    on = torch.ones(64, cfg.seq_len)
    with torch.no_grad():
        outs = [task.run(model, ens, traj, mask) for mask in (on, torch.zeros_like(on))]
    err = [(ens.place.decode(o.place_logits) - traj.target_pos).norm(dim=-1).mean() for o in outs]
    assert err[0] < 0.7 * err[1]


def test_a_lost_start_takes_another_trajectorys_code_while_training_only():
    cfg = tiny(anchor_prob=0.1, lost_start_prob=1.0)
    model, ens = task.build(cfg)
    init = ens.initial_code(batch(cfg, n=5))
    model.train()
    torch.testing.assert_close(task.lost_starts(model, init), init.roll(1, 0))
    model.eval()
    assert task.lost_starts(model, init) is init
    with pytest.raises(GridcoreError, match="needs anchors"):
        tiny(lost_start_prob=0.5)
