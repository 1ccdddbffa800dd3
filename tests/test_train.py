"""The training loop: the loss falls, runs are reproducible and resumable bit for bit, and a
diverging run stops. The run directory itself is tested in test_runs.py."""

from dataclasses import replace

import pytest
import torch
from safetensors.torch import load_file

import gridcore.training.train
from gridcore.errors import DivergedError, GridcoreError
from gridcore.net import task
from gridcore.net.config import TrainConfig, get_preset
from gridcore.net.runs import read_history
from gridcore.training.train import train


def tiny(**kw):
    return get_preset("tiny", **kw)


def test_loss_falls(tmp_path):
    res = train(tiny(), tmp_path / "run", progress=False)
    hist = res.history
    first = sum(r["loss"] for r in hist[:3]) / 3
    last = sum(r["loss"] for r in hist[-3:]) / 3
    assert last < first - 0.3
    assert hist[-1]["position_error_cm"] < hist[0]["position_error_cm"]
    for name in ("config.json", "model.safetensors", "train_state.safetensors", "history.csv"):
        assert (tmp_path / "run" / name).exists()
    assert list((tmp_path / "run" / "tb").iterdir())
    assert len(read_history(tmp_path / "run")) == len(hist)


def test_resume_is_bit_exact(tmp_path):
    cfg = tiny(steps=30, checkpoint_every=15, data_chunk=4)
    train(cfg, tmp_path / "straight", progress=False)
    train(tiny(steps=15, checkpoint_every=15, data_chunk=4), tmp_path / "split", progress=False)
    train(cfg, tmp_path / "split", resume=True, progress=False)
    a = load_file(tmp_path / "straight" / "model.safetensors")
    b = load_file(tmp_path / "split" / "model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    # The first run logged its last step (15) too; then the resumed run carries on.
    assert [r["step"] for r in read_history(tmp_path / "split")] == [15.0, 20.0, 30.0]


def test_a_length_curriculum_trains_on_longer_paths_and_resumes_bit_exact(tmp_path):
    cfg = tiny(steps=30, checkpoint_every=15, data_chunk=4, seq_len_curriculum="10:40,20:60")
    straight = train(cfg, tmp_path / "straight", progress=False)
    train(replace(cfg, steps=15), tmp_path / "split", progress=False)
    train(cfg, tmp_path / "split", resume=True, progress=False)
    a = load_file(tmp_path / "straight" / "model.safetensors")
    b = load_file(tmp_path / "split" / "model.safetensors")
    assert all(torch.equal(a[key], b[key]) for key in a)
    plain = train(replace(cfg, seq_len_curriculum=""), tmp_path / "plain", progress=False)
    assert not torch.equal(straight.model.bottleneck.weight, plain.model.bottleneck.weight)


def test_same_seed_same_run_other_seed_differs(tmp_path):
    a = train(tiny(steps=5), tmp_path / "a", progress=False).model
    b = train(tiny(steps=5), tmp_path / "b", progress=False).model
    c = train(tiny(steps=5, seed=1), tmp_path / "c", progress=False).model
    assert torch.equal(a.bottleneck.weight, b.bottleneck.weight)
    assert not torch.equal(a.bottleneck.weight, c.bottleneck.weight)


def test_divergence_is_reported(tmp_path):
    cfg = tiny(optimizer="torch_rmsprop", lr=1e38, grad_clip=0.0, steps=50)
    with pytest.raises(GridcoreError, match="diverged"):
        train(cfg, tmp_path / "nan", progress=False)


def test_exploding_loss_stops_the_run_and_keeps_the_last_checkpoint(tmp_path, monkeypatch):
    cfg = tiny(steps=60, checkpoint_every=2, lr=1e6, grad_clip=0.0, optimizer="sgd")
    with pytest.raises(DivergedError, match=r"diverged at step \d+") as err:
        train(cfg, tmp_path / "boom2", progress=False)
    assert err.value.step < 60

    # A resumed run that explodes leaves the last good checkpoint as it was, although the
    # exploding step has already changed the weights in memory.
    run = tmp_path / "boom"
    train(tiny(steps=4, checkpoint_every=2), run, progress=False)
    files = ("model.safetensors", "train_state.safetensors", "history.csv")
    before = {name: (run / name).read_bytes() for name in files}

    def exploding_step(*args, **kwargs):
        res = task.train_step(*args, **kwargs)
        return replace(res, loss=torch.tensor(float("inf")))

    monkeypatch.setattr(gridcore.training.train, "train_step", exploding_step)
    with pytest.raises(DivergedError) as err:
        train(tiny(steps=60, checkpoint_every=2), run, resume=True, progress=False)
    assert err.value.step == 4
    assert {name: (run / name).read_bytes() for name in files} == before


def test_extending_a_cosine_run_never_raises_its_learning_rate(tmp_path):
    cfg = tiny(steps=40, lr_schedule="cosine", log_every=5, checkpoint_every=20)
    train(cfg, tmp_path / "r", progress=False)
    saved = TrainConfig.load(tmp_path / "r" / "config.json")
    assert saved.lr_horizon == 40
    train(
        tiny(steps=80, lr_schedule="cosine", log_every=5),
        tmp_path / "r",
        resume=True,
        progress=False,
    )
    lrs = [row["lr"] for row in read_history(tmp_path / "r")]
    assert len(lrs) == 16
    assert all(b <= a for a, b in zip(lrs, lrs[1:], strict=False))
    assert lrs[-1] == pytest.approx(cfg.lr * cfg.lr_final_frac)
    # The extended run's config keeps the horizon it was planned with.
    assert TrainConfig.load(tmp_path / "r" / "config.json").lr_horizon == 40


def test_resume_accepts_equal_values_and_logging_changes(tmp_path):
    train(tiny(steps=10, seed=3), tmp_path / "r", progress=False)
    res = train(
        tiny(steps=20, seed=3, log_every=5, checkpoint_every=10),
        tmp_path / "r",
        resume=True,
        progress=False,
    )
    assert res.step == 20
    assert TrainConfig.load(tmp_path / "r" / "config.json").log_every == 5


def test_a_3d_run_learns_and_resumes_bit_exact(tmp_path):
    cfg = tiny(dims=3, steps=30, checkpoint_every=15, data_chunk=4, log_every=5)
    res = train(cfg, tmp_path / "straight", progress=False)
    assert res.model.core.input_size == 5
    assert res.history[-1]["loss"] < res.history[0]["loss"]
    assert 0 <= res.history[-1]["heading_error_deg"] <= 180
    train(replace(cfg, steps=15), tmp_path / "split", progress=False)
    train(cfg, tmp_path / "split", resume=True, progress=False)
    a = load_file(tmp_path / "straight" / "model.safetensors")
    b = load_file(tmp_path / "split" / "model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)
