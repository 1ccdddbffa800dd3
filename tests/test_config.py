"""Configs: presets, validation and JSON files."""

import json
import math

import pytest

from gridcore.errors import GridcoreError
from gridcore.net.config import PRESETS, TrainConfig, get_preset


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_json(name, tmp_path):
    cfg = get_preset(name)
    (tmp_path / "c.json").write_text(cfg.to_json())
    assert TrainConfig.load(tmp_path / "c.json") == cfg


def test_paper_and_deepmind_presets_follow_the_reference():
    paper, dm = get_preset("paper"), get_preset("deepmind")
    for cfg in (paper, dm):
        assert (cfg.lr, cfg.batch_size, cfg.grad_clip, cfg.momentum) == (1e-5, 10, 1e-5, 0.9)
        assert (cfg.n_place, cfg.n_hd, cfg.n_hidden, cfg.n_bottleneck) == (256, 12, 128, 256)
        assert cfg.optimizer == "tf1_rmsprop" and cfg.motion == "paper"
        assert cfg.clip_scope == "all" and cfg.dropout == 0.5
    assert paper.steps == 300_000 and paper.apply_weight_decay and not paper.eval_dropout
    assert dm.steps == 1_000_000 and not dm.apply_weight_decay and dm.eval_dropout


def test_fast_presets_change_only_rat_and_learning_rate():
    paper = get_preset("paper")
    for name in ("fast", "quick"):
        cfg = get_preset(name)
        assert cfg.motion == "sorscher" and cfg.lr > paper.lr
        same = ("batch_size", "grad_clip", "optimizer", "n_hidden", "n_bottleneck", "dropout")
        assert all(getattr(cfg, k) == getattr(paper, k) for k in same)


def test_bad_config_files(tmp_path):
    with pytest.raises(GridcoreError, match="no such file"):
        TrainConfig.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(GridcoreError, match="not a readable JSON"):
        TrainConfig.load(tmp_path / "bad.json")
    (tmp_path / "list.json").write_text(json.dumps([1, 2]))
    with pytest.raises(GridcoreError, match="JSON object"):
        TrainConfig.load(tmp_path / "list.json")
    with pytest.raises(GridcoreError, match="motion"):
        get_preset("fast", motion="teleport")


def test_config_validation():
    with pytest.raises(GridcoreError, match="batch_size"):
        get_preset("tiny", batch_size=0)
    with pytest.raises(GridcoreError, match="lr"):
        get_preset("tiny", lr=-1.0)
    with pytest.raises(GridcoreError, match="unknown preset"):
        get_preset("huge")
    with pytest.raises(GridcoreError, match="unknown config keys"):
        TrainConfig.from_dict({"learning_rate": 1})


def test_the_issue_10_switches_validate_in_one_line():
    from gridcore.net import config, model

    assert config.VELOCITY_INPUTS is model.VELOCITY_INPUTS  # owned by the model, imported
    assert {"rnn", "rnn_relu", "attention"} <= set(config.CORES)
    assert get_preset("tiny").use_hd and get_preset("tiny").velocity_input == "egocentric"
    for bad, match in [
        ({"velocity_input": "cartesian"}, "velocity_input must be one of egocentric, allocentric"),
        ({"use_hd": "no"}, "use_hd must be true or false"),
        ({"core": "attention", "n_hidden": 36}, "core attention needs n_hidden a multiple of 8"),
        ({"core": "transformer"}, "core must be one of lstm, gru, rnn, rnn_relu, attention"),
    ]:
        with pytest.raises(GridcoreError, match=match) as err:
            get_preset("tiny", **bad)
        assert "\n" not in str(err.value)
    get_preset("tiny", core="attention", velocity_input="allocentric", use_hd=False)


def test_dims_defaults_to_the_box_and_a_config_without_it_loads(tmp_path):
    cfg = get_preset("quick")
    assert cfg.dims == 2 and get_preset("quick-3d").dims == 3
    data = json.loads(cfg.to_json())
    del data["dims"]  # as written before the field existed (e.g. checkpoints/grid-lstm)
    assert TrainConfig.from_dict(data) == cfg
    for bad, match in [
        ({"dims": 4}, "dims must be 2"),
        ({"dims": 3, "velocity_input": "allocentric"}, "dims 3 trains on the egocentric"),
        ({"dims": 3, "score_every": 10}, "without scoring while training"),
        ({"dims": 3, "init_code": "standardised"}, "dims 3 starts from its targets"),
        ({"init_code": "scaled"}, "init_code must be one of targets, standardised"),
    ]:
        with pytest.raises(GridcoreError, match=match):
            get_preset("tiny", **bad)


@pytest.mark.parametrize("bad", ["250", "a:b", "600:250,500:750", "0:0", "-5:100"])
def test_a_malformed_length_curriculum_is_one_clear_error(bad):
    with pytest.raises(GridcoreError, match="seq_len_curriculum") as err:
        get_preset("tiny", seq_len_curriculum=bad)
    assert "\n" not in str(err.value)


def test_a_length_curriculum_reads_as_steps_and_lengths():
    cfg = get_preset("tiny", seq_len_curriculum="6000:250,7000:750")
    assert cfg.curriculum() == ((6000, 250), (7000, 750))
    assert get_preset("tiny").curriculum() == ()


def test_the_time_base_is_a_setting_and_paper_presets_use_the_papers():
    from gridcore.net.task import motion_of

    for name in ("paper", "deepmind"):
        cfg = get_preset(name)
        assert (cfg.duration, cfg.seq_len) == (15.0, 100)
        assert math.isclose(cfg.step_time, 0.15) and math.isclose(cfg.trajectory_seconds, 15.0)
        assert math.isclose(motion_of(cfg).network_dt, 0.15)
    # The 2 s reading stays available: duration 0 sees every 0.02 s step.
    old = get_preset("paper", duration=0.0)
    assert math.isclose(old.step_time, 0.02) and motion_of(old).sample_dt == 0.0
    for name in ("fast", "quick", "quick-wide", "tiny"):
        assert get_preset(name).duration == 0.0
    with pytest.raises(GridcoreError, match="shorter than the simulation step"):
        get_preset("paper", duration=1.0)
    with pytest.raises(GridcoreError, match="duration"):
        get_preset("quick-3d", duration=15.0)
