"""The run directory: checkpoint files, loading a run back, history, snapshots and the rules for
starting or resuming a run in a directory."""

from __future__ import annotations

import math
import os
import stat
from dataclasses import replace

import pytest
import torch
from safetensors.torch import load_file, save_file

from gridcore.errors import GridcoreError
from gridcore.net import runs
from gridcore.net.config import TrainConfig, get_preset
from gridcore.net.runs import list_snapshots, load_run, prepare_run_dir, read_history
from gridcore.net.task import StepSettings, build, make_optimizer_for, train_step
from gridcore.training.train import train
from gridcore.world.trajectories import TrajectoryStream


def tiny(**kw):
    return get_preset("tiny", **kw)


def stepped(cfg: TrainConfig, seed: int = 0, steps: int = 2):
    """A tiny network and optimiser after ``steps`` training steps (the optimiser has state)."""
    torch.manual_seed(seed)
    model, ensembles = build(cfg)
    opt = make_optimizer_for(cfg, model)
    data = TrajectoryStream(cfg.batch_size, cfg.seq_len, cfg.motion, seed, 2)
    for step in range(steps):
        train_step(model, ensembles, StepSettings(opt, cfg), data.batch(step), step)
    return model, opt


def row(step: int, **kw) -> dict:
    return {"step": step, "loss": 1.0 / step, "lr": 0.1, **kw}


# --------------------------------------------------------------------------------------------
# Checkpoints written and read back without training


def test_checkpoint_files_round_trip_weights_optimiser_and_rng(tmp_path):
    cfg = tiny()
    model, opt = stepped(cfg)
    torch.manual_seed(42)
    rng = torch.get_rng_state()
    history = [row(10), row(20, grid_fraction_037=0.5)]
    runs.save_checkpoint(tmp_path, cfg, model, opt, 20, history)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.json",
        "history.csv",
        "model.safetensors",
        "train_state.safetensors",
    ]
    assert TrainConfig.load(tmp_path / "config.json") == cfg

    other, other_opt = stepped(cfg, seed=1, steps=1)
    torch.manual_seed(0)
    step, rows = runs.restore_train_state(tmp_path, other, other_opt)
    assert step == 20 and [r["step"] for r in rows] == [10.0, 20.0]
    assert torch.equal(torch.get_rng_state(), rng)
    for (name, a), b in zip(model.state_dict().items(), other.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    saved, restored = opt.state_dict()["state"], other_opt.state_dict()["state"]
    assert saved.keys() == restored.keys() and len(saved) == len(list(model.parameters()))
    for i, buffers in saved.items():
        assert buffers.keys() == restored[i].keys() == {"ms", "mom"}
        assert all(torch.equal(buffers[k], restored[i][k]) for k in buffers), i

    loaded, ensembles, saved_cfg, at = load_run(tmp_path)
    assert at == 20 and saved_cfg == cfg and not loaded.training
    assert ensembles.place.n_cells == cfg.n_place
    assert all(
        torch.equal(a, b) for a, b in zip(loaded.parameters(), model.parameters(), strict=True)
    )


def test_restore_keeps_only_history_up_to_the_saved_step(tmp_path):
    cfg = tiny()
    model, opt = stepped(cfg)
    runs.save_checkpoint(tmp_path, cfg, model, opt, 20, [row(10), row(20)])
    # A run killed after logging step 30 but before its next checkpoint.
    runs._write_history(tmp_path / "history.csv", [row(10), row(20), row(30)])
    assert len(read_history(tmp_path)) == 3
    step, rows = runs.restore_train_state(tmp_path, *stepped(cfg))
    assert step == 20 and [r["step"] for r in rows] == [10.0, 20.0]


def test_read_history_gives_floats_and_nan_for_empty_cells(tmp_path):
    assert read_history(tmp_path) == []
    runs._write_history(tmp_path / "history.csv", [row(5), row(10, grid_fraction_080=0.25)])
    rows = read_history(tmp_path)
    assert list(rows[0]) == runs.HISTORY_FIELDS
    assert rows[0]["step"] == 5.0 and rows[0]["loss"] == pytest.approx(0.2)
    assert math.isnan(rows[0]["grid_fraction_080"]) and math.isnan(rows[1]["hd_loss"])
    assert rows[1]["grid_fraction_080"] == 0.25


def test_list_snapshots_sorts_by_step_and_skips_strangers(tmp_path):
    assert list_snapshots(tmp_path) == []
    model, _ = build(tiny())
    for step in (100, 20, 3):
        runs.save_snapshot(tmp_path, model, step)
    (tmp_path / "snapshots" / "step_final.safetensors").write_bytes(b"")
    (tmp_path / "snapshots" / "notes.txt").write_text("")
    found = list_snapshots(tmp_path)
    assert [s for s, _ in found] == [3, 20, 100]
    assert found[0][1].name == "step_00000003.safetensors"
    assert load_file(found[2][1]).keys() == model.state_dict().keys()


def test_corrupt_optimiser_state_is_one_clear_error(tmp_path):
    cfg = tiny()
    model, opt = stepped(cfg)
    weights = {f"model.{k}": v.contiguous() for k, v in model.state_dict().items()}
    save_file(weights, tmp_path / "train_state.safetensors", {"step": "3"})  # no rng.torch
    with pytest.raises(GridcoreError, match="corrupt optimiser/RNG state"):
        runs.restore_train_state(tmp_path, model, opt)


# --------------------------------------------------------------------------------------------
# load_run


def test_load_run_and_snapshots(tmp_path):
    train(tiny(steps=20, snapshot_every=10), tmp_path / "r", progress=False)
    model, ens, cfg, step = load_run(tmp_path / "r")
    assert step == 20 and not model.training and cfg.n_place == ens.place.n_cells == 64
    snaps = sorted((tmp_path / "r" / "snapshots").iterdir())
    assert [p.name for p in snaps] == ["step_00000010.safetensors", "step_00000020.safetensors"]
    assert load_run(snaps[0])[3] == 10


def test_load_network_reads_a_run_directory_or_one_of_its_weight_files(tmp_path):
    with pytest.raises(GridcoreError, match="no trained network .*`python -m gridcore train"):
        runs.load_network(tmp_path / "nothing")
    run_dir = tmp_path / "r"
    train(tiny(steps=20, snapshot_every=10), run_dir, progress=False)
    net = runs.load_network(run_dir)
    assert net.step == 20 and net.run_dir == run_dir and not net.model.training
    assert net.cfg == load_run(run_dir)[2]
    assert net.motion.box_width == 2.2 and net.cfg.motion == "sorscher"
    snap = runs.load_network(run_dir / "snapshots" / "step_00000010.safetensors")
    assert snap.step == 10 and snap.run_dir == run_dir / "snapshots"


def test_a_run_without_its_weights_file_loads_from_its_training_state(tmp_path):
    run_dir = tmp_path / "r"
    train(tiny(steps=10), run_dir, progress=False)
    full = runs.load_network(run_dir)
    (run_dir / "model.safetensors").unlink()
    for source in (run_dir, run_dir / "train_state.safetensors"):
        net = runs.load_network(source)
        assert net.step == 10
        for (name, a), (_, b) in zip(
            full.model.state_dict().items(), net.model.state_dict().items(), strict=True
        ):
            assert torch.equal(a, b), name


def test_an_untrained_network_is_drawn_from_its_seed_alone():
    cfg = tiny()
    torch.manual_seed(5)
    before = torch.get_rng_state()
    a, b, c = (runs.untrained_network(cfg, seed=s) for s in (0, 0, 1))
    assert torch.equal(torch.get_rng_state(), before)
    assert (a.step, a.run_dir, a.cfg) == (0, None, cfg) and not a.model.training
    weights = [dict(n.model.named_parameters())["bottleneck.weight"] for n in (a, b, c)]
    assert torch.equal(weights[0], weights[1]) and not torch.equal(weights[0], weights[2])
    assert torch.equal(a.ensembles.place.centres, c.ensembles.place.centres)


def test_load_run_errors_name_what_is_missing(tmp_path):
    with pytest.raises(GridcoreError, match="no such run directory"):
        load_run(tmp_path / "nowhere")
    (tmp_path / "r").mkdir()
    with pytest.raises(GridcoreError, match=r"config.json: no such file"):
        load_run(tmp_path / "r")
    runs.write_config(tmp_path / "r", tiny())
    with pytest.raises(GridcoreError, match="model.safetensors: no such checkpoint file"):
        load_run(tmp_path / "r")


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


def test_run_files_respect_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        train(tiny(steps=5), tmp_path / "r", progress=False)
    finally:
        os.umask(old)
    for name in ("config.json", "model.safetensors", "history.csv"):
        assert stat.S_IMODE((tmp_path / "r" / name).stat().st_mode) == 0o644, name


# --------------------------------------------------------------------------------------------
# prepare_run_dir: where a run may start, and what a resumed run keeps


def saved_run(run_dir, cfg: TrainConfig) -> None:
    """A run directory as a run of ``cfg`` leaves it (written directly, without training)."""
    model, opt = stepped(cfg, steps=1)
    run_dir.mkdir(parents=True, exist_ok=True)
    runs.save_checkpoint(run_dir, cfg.planned(), model, opt, 1, [row(1)])


def test_a_new_run_fixes_its_schedule_horizon(tmp_path):
    cfg = tiny(steps=40, lr_schedule="cosine")
    planned = prepare_run_dir(tmp_path / "a" / "b", cfg, resume=False)
    assert (tmp_path / "a" / "b").is_dir() and list((tmp_path / "a" / "b").iterdir()) == []
    assert planned == replace(cfg, lr_horizon=40)
    fixed = tiny(steps=40, lr_horizon=25)
    assert prepare_run_dir(tmp_path / "c", fixed, resume=False) == fixed


def test_a_new_run_needs_a_writable_directory_without_a_run(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(GridcoreError, match="cannot write to output directory"):
        prepare_run_dir(tmp_path / "file" / "run", tiny(), resume=False)
    saved_run(tmp_path / "r", tiny())
    with pytest.raises(GridcoreError, match="already holds a run; pass --resume"):
        prepare_run_dir(tmp_path / "r", tiny(), resume=False)
    with pytest.raises(GridcoreError, match="nothing to resume"):
        prepare_run_dir(tmp_path / "empty", tiny(), resume=True)


def test_resume_keeps_the_saved_config_but_takes_steps_and_logging(tmp_path):
    saved_run(tmp_path, tiny(steps=40, lr_schedule="cosine"))
    cfg = tiny(steps=80, lr_schedule="cosine", log_every=5, snapshot_every=10)
    resumed = prepare_run_dir(tmp_path, cfg, resume=True)
    assert resumed.steps == 80 and resumed.lr_horizon == 40  # never re-planned
    assert (resumed.log_every, resumed.snapshot_every) == (5, 10)
    assert resumed == replace(cfg, lr_horizon=40)
    # An explicit horizon equal to the saved one is accepted, another one named.
    assert prepare_run_dir(tmp_path, replace(cfg, lr_horizon=40), resume=True) == resumed
    with pytest.raises(GridcoreError, match=r"lr_horizon: 40 \(saved\) vs 60 \(requested\)"):
        prepare_run_dir(tmp_path, replace(cfg, lr_horizon=60), resume=True)


def test_resume_may_change_threads_and_device(tmp_path):
    saved_run(tmp_path, tiny(steps=40))
    resumed = prepare_run_dir(tmp_path, tiny(steps=40, threads=2, device="auto"), resume=True)
    assert (resumed.threads, resumed.device) == (2, "auto")


def test_checkpoints_hold_cpu_tensors_and_the_cpu_rng(tmp_path):
    saved_run(tmp_path, tiny())
    state = load_file(tmp_path / "train_state.safetensors")
    assert all(v.device.type == "cpu" for v in state.values())
    assert "rng.torch" in state and "rng.cuda" not in state  # a CPU run has no GPU generator


def test_resume_names_every_differing_field(tmp_path):
    saved_run(tmp_path, tiny())
    with pytest.raises(GridcoreError) as err:
        prepare_run_dir(tmp_path, tiny(lr=1e-4, seed=2), resume=True)
    message = str(err.value)
    assert "lr: 0.003 (saved) vs 0.0001 (requested)" in message
    assert "seed: 0 (saved) vs 2 (requested)" in message


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


def test_history_steps_stay_integers_after_a_resume(tmp_path):
    from gridcore.net.config import get_preset
    from gridcore.training.train import train

    train(
        get_preset("tiny", steps=10, log_every=5, checkpoint_every=5),
        tmp_path / "r",
        progress=False,
    )
    train(get_preset("tiny", steps=20, log_every=5), tmp_path / "r", resume=True, progress=False)
    steps = [
        line.split(",")[0] for line in (tmp_path / "r" / "history.csv").read_text().split()[1:]
    ]
    assert steps == ["5", "10", "15", "20"]
