"""The recorder of a training run: its history rows, TensorBoard curves, schedule and
divergence check. The loops that use it are tested in test_train.py and test_stacked.py."""

from __future__ import annotations

import math

import pytest
import torch

from gridcore.errors import DivergedError
from gridcore.net import task
from gridcore.net.config import get_preset
from gridcore.net.runs import HISTORY_FIELDS, list_snapshots, load_safetensors, read_history
from gridcore.training.recorder import RunRecorder
from gridcore.world.trajectories import TrajectoryStream


def tiny(**kw):
    return get_preset("tiny", **kw)


def recorder(tmp_path, cfg, history=None, **kw):
    torch.manual_seed(cfg.seed)
    model, ensembles = task.build(cfg)
    opt = task.make_optimizer_for(cfg, model)
    rec = RunRecorder(tmp_path, cfg, [] if history is None else history, lambda: model, opt, **kw)
    return rec, model, ensembles, opt


def a_step(cfg, model, ensembles, opt, step=0):
    traj = TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, cfg.seed, 4).batch(step)
    return task.train_step(model, ensembles, task.StepSettings(opt, cfg), traj, step), traj


def test_the_schedule_logs_scores_snapshots_and_checkpoints_when_the_config_says(tmp_path):
    cfg = tiny(steps=12, log_every=5, checkpoint_every=10, snapshot_every=4, score_every=6)
    rec, *_ = recorder(tmp_path / "a", cfg)
    steps = range(1, 13)
    assert [s for s in steps if rec.logs_at(s)] == [5, 10, 12]
    assert [s for s in steps if rec.checkpoints_at(s)] == [10, 12]
    assert [s for s in steps if rec.snapshots_at(s)] == [4, 8, 12]
    assert [s for s in steps if rec.scores_at(s)] == [6, 12]
    rec.close()
    rec, *_ = recorder(tmp_path / "b", tiny(steps=12, snapshot_every=0, score_every=0))
    assert not any(rec.snapshots_at(s) or rec.scores_at(s) for s in steps)
    rec.close()


def test_a_row_holds_every_history_field_and_reaches_tensorboard(tmp_path):
    cfg = tiny(use_hd=False, score_every=0)
    rec, model, ensembles, opt = recorder(tmp_path, cfg)
    res, traj = a_step(cfg, model, ensembles, opt)
    row = rec.record(1, res, ensembles, traj)
    rec.close()
    assert list(row) == HISTORY_FIELDS and rec.history == [row]
    assert row["step"] == 1 and row["loss"] == res.loss.item() and row["lr"] == cfg.lr
    assert row["place_loss"] + row["l2_loss"] == pytest.approx(row["loss"])
    assert math.isnan(row["hd_loss"]) and math.isnan(row["heading_error_deg"])
    assert math.isnan(row["grid_fraction_037"]) and row["elapsed_s"] >= 0
    assert list((tmp_path / "tb").iterdir())


def test_a_scored_row_holds_grid_fractions(tmp_path):
    cfg = tiny(score_every=2, score_trajectories=5, score_nbins=8)
    rec, model, ensembles, opt = recorder(tmp_path, cfg)
    res, traj = a_step(cfg, model, ensembles, opt)
    row = rec.record(2, res, ensembles, traj)
    rec.close()
    assert 0 <= row["grid_fraction_037"] <= 1 and 0 <= row["grid_fraction_080"] <= 1


def test_a_resumed_run_carries_its_elapsed_time_and_first_loss_on(tmp_path):
    history = [{"loss": 2.0, "elapsed_s": 10.0}, {"loss": 1.0, "elapsed_s": 30.0}]
    cfg = tiny(diverge_factor=10.0)
    rec, model, ensembles, opt = recorder(tmp_path, cfg, history, purge_step=2)
    res, traj = a_step(cfg, model, ensembles, opt, step=2)
    assert rec.record(3, res, ensembles, traj)["elapsed_s"] >= 30.0
    rec.check_loss(19.0, 3, cfg.lr)  # below 10 x the first loss, 2.0
    with pytest.raises(DivergedError, match=r"loss is 21, 10x its first value"):
        rec.check_loss(21.0, 3, cfg.lr)
    rec.close()


def test_save_due_keeps_snapshots_and_checkpoints_on_schedule(tmp_path):
    cfg = tiny(steps=6, log_every=1, checkpoint_every=4, snapshot_every=3)
    rec, model, ensembles, opt = recorder(tmp_path, cfg)
    for step in range(6):
        res, traj = a_step(cfg, model, ensembles, opt, step)
        rec.record(step + 1, res, ensembles, traj)
        rec.save_due(step + 1)
        if step + 1 == 4:
            assert [r["step"] for r in read_history(tmp_path)] == [1, 2, 3, 4]
    rec.close()
    assert [s for s, _ in list_snapshots(tmp_path)] == [3, 6]
    assert [r["step"] for r in read_history(tmp_path)] == [1, 2, 3, 4, 5, 6]


def test_a_checkpoint_saves_the_rng_state_the_recorder_is_given(tmp_path):
    cfg = tiny()
    state = {"rng.torch": torch.Generator().manual_seed(7).get_state()}
    rec, *_ = recorder(tmp_path, cfg, rng=lambda: state)
    rec.checkpoint(1)
    rec.close()
    saved, meta = load_safetensors(tmp_path / "train_state.safetensors")
    assert meta["step"] == "1" and torch.equal(saved["rng.torch"], state["rng.torch"])


def test_divergence_raises_with_the_step_and_the_learning_rate(tmp_path):
    cfg = tiny(lr=3e-3, diverge_factor=100.0)
    rec, *_ = recorder(tmp_path, cfg)
    rec.check_loss(4.0, 0, 1e-3)  # the first loss of a new run
    assert rec.first_loss == 4.0
    rec.check_loss(399.0, 1, 1e-3)
    with pytest.raises(DivergedError, match=r"at step 2: loss is 401, 100x its first") as err:
        rec.check_loss(401.0, 2, 1e-3)
    assert err.value.step == 2 and "below 0.001 or gradient clipping" in str(err.value)
    with pytest.raises(DivergedError, match=r"at step 3: loss is inf, infx its first"):
        rec.check_loss(math.inf, 3, 1e-3)
    with pytest.raises(DivergedError, match=r"at step 4: loss is nan; the last checkpoint is kept"):
        rec.check_loss(math.nan, 4, 1e-3)
    with pytest.raises(DivergedError, match=r"loss is nan; .* below 0.003 ") as err:
        rec.non_finite(5)  # the configured learning rate
    assert err.value.step == 5
    rec.close()


def test_without_a_divergence_factor_only_non_finite_losses_stop_a_run(tmp_path):
    rec, *_ = recorder(tmp_path, tiny(diverge_factor=0.0))
    rec.check_loss(1.0, 0, 1e-3)
    rec.check_loss(1e12, 1, 1e-3)
    with pytest.raises(DivergedError, match="loss is inf"):
        rec.check_loss(math.inf, 2, 1e-3)
    rec.close()
