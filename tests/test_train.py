import math

import pytest
import torch
from safetensors.torch import load_file

from gridcore.config import GridcoreError, TrainConfig, get_preset
from gridcore.train import learning_rate, load_run, read_history, train


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
    with pytest.raises(GridcoreError, match="different config.*lr"):
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
