import math

import pytest
import torch
from safetensors.torch import load_file

from gridcore.config import GridcoreError, TrainConfig, get_preset
from gridcore.runs import load_run, read_history
from gridcore.task import learning_rate
from gridcore.train import train


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


def test_same_seed_same_run_other_seed_differs(tmp_path):
    a = train(tiny(steps=5), tmp_path / "a", progress=False).model
    b = train(tiny(steps=5), tmp_path / "b", progress=False).model
    c = train(tiny(steps=5, seed=1), tmp_path / "c", progress=False).model
    assert torch.equal(a.bottleneck.weight, b.bottleneck.weight)
    assert not torch.equal(a.bottleneck.weight, c.bottleneck.weight)


def test_load_run_and_snapshots(tmp_path):
    train(tiny(steps=20, snapshot_every=10), tmp_path / "r", progress=False)
    model, ens, cfg, step = load_run(tmp_path / "r")
    assert step == 20 and not model.training and cfg.n_place == ens.place.n_cells == 64
    snaps = sorted((tmp_path / "r" / "snapshots").iterdir())
    assert [p.name for p in snaps] == ["step_00000010.safetensors", "step_00000020.safetensors"]
    assert load_run(snaps[0])[3] == 10


def test_divergence_is_reported(tmp_path):
    cfg = tiny(optimizer="torch_rmsprop", lr=1e38, grad_clip=0.0, steps=50)
    with pytest.raises(GridcoreError, match="diverged"):
        train(cfg, tmp_path / "nan", progress=False)


def test_refuses_to_overwrite_and_mismatched_resume(tmp_path):
    train(tiny(steps=5), tmp_path / "r", progress=False)
    with pytest.raises(GridcoreError, match="already holds a run"):
        train(tiny(steps=5), tmp_path / "r", progress=False)
    with pytest.raises(
        GridcoreError, match=r"differs from the requested config in lr: 0.003 \(saved\) vs 0.0001"
    ):
        train(tiny(steps=10, lr=1e-4), tmp_path / "r", resume=True, progress=False)
    with pytest.raises(GridcoreError, match="nothing to resume"):
        train(tiny(steps=5), tmp_path / "empty", resume=True, progress=False)


def test_corrupt_checkpoint(tmp_path):
    train(tiny(steps=5), tmp_path / "r", progress=False)
    (tmp_path / "r" / "model.safetensors").write_bytes(b"\x00" * 40)
    with pytest.raises(GridcoreError, match="not a valid safetensors"):
        load_run(tmp_path / "r")


def test_mismatched_weights(tmp_path):
    train(tiny(steps=5), tmp_path / "r", progress=False)
    cfg_path = tmp_path / "r" / "config.json"
    cfg = TrainConfig.load(cfg_path)
    cfg_path.write_text(TrainConfig.from_dict({**cfg.__dict__, "n_hidden": 16}).to_json())
    with pytest.raises(GridcoreError, match="do not match"):
        load_run(tmp_path / "r")


def test_config_validation():
    with pytest.raises(GridcoreError, match="batch_size"):
        tiny(batch_size=0)
    with pytest.raises(GridcoreError, match="lr"):
        tiny(lr=-1.0)
    with pytest.raises(GridcoreError, match="unknown preset"):
        get_preset("huge")
    with pytest.raises(GridcoreError, match="unknown config keys"):
        TrainConfig.from_dict({"learning_rate": 1})


def test_cosine_schedule():
    cfg = tiny(lr=1.0, lr_schedule="cosine", lr_final_frac=0.1, steps=101)
    assert learning_rate(cfg, 0) == pytest.approx(1.0)
    assert learning_rate(cfg, 50) == pytest.approx(0.55)
    assert learning_rate(cfg, 100) == pytest.approx(0.1)
    assert math.isclose(learning_rate(tiny(lr=0.3), 77), 0.3)


def test_exploding_loss_stops_the_run_and_keeps_the_last_checkpoint(tmp_path):
    from gridcore.errors import DivergedError

    run = tmp_path / "boom"
    train(tiny(steps=4, checkpoint_every=2), run, progress=False)
    before = (run / "model.safetensors").read_bytes()
    cfg = tiny(steps=60, checkpoint_every=2, lr=1e6, grad_clip=0.0, optimizer="sgd")
    with pytest.raises(DivergedError, match=r"diverged at step \d+") as err:
        train(cfg, tmp_path / "boom2", progress=False)
    assert err.value.step < 60
    # A resumed run that explodes leaves the last good checkpoint as it was.
    bad = TrainConfig.from_dict({**tiny(steps=60, checkpoint_every=50).__dict__})
    assert (run / "model.safetensors").read_bytes() == before
    assert bad.diverge_factor == 1000.0


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


def test_run_files_respect_the_umask(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        train(tiny(steps=5), tmp_path / "r", progress=False)
    finally:
        os.umask(old)
    for name in ("config.json", "model.safetensors", "history.csv"):
        assert stat.S_IMODE((tmp_path / "r" / name).stat().st_mode) == 0o644, name
