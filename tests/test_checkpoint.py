"""The shipped model: it loads safely and its bottleneck is as grid-like as the paper's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from gridcore.analysis.ratemaps import bottleneck_ratemaps
from gridcore.net.runs import load_network
from gridcore.scoring.scores import score_ratemaps
from gridcore.world.trajectories import get_motion

RUN = Path(__file__).resolve().parent.parent / "checkpoints" / "grid-lstm"


def test_shipped_model_meets_the_paper():
    """>= 25 % of bottleneck units with a DeepMind 60-degree score > 0.37 (paper: 25.2 %)."""
    net = load_network(RUN)
    assert net.step == net.cfg.steps
    maps = bottleneck_ratemaps(net, n_trajectories=5000, nbins=32)
    assert not torch.is_tensor(maps) and maps.shape == (256, 32, 32)
    fraction = score_ratemaps(maps, mode="deepmind").fraction(0.37)
    assert fraction >= 0.25
    recorded = json.loads((RUN / "provenance.json").read_text())["metrics"]
    assert abs(recorded["deepmind_fraction_above_0.37"] - fraction) < 1e-9


def test_provenance_names_the_command():
    provenance = json.loads((RUN / "provenance.json").read_text())
    assert "python -m gridcore train --preset fast" in provenance["command"]
    for key in ("seed", "commit", "machine", "wall_time_s", "metrics"):
        assert key in provenance


SECOND = RUN.parent / "grid-lstm-paper-rat"


def test_second_network_ran_at_real_rat_speed_and_scores_as_recorded():
    """The paper's rat (mean speed <= 0.3 m/s), >= 20 % grid-like units (DeepMind's scorer) at
    its final step, and the provenance's figures are what scoring it again gives."""
    net = load_network(SECOND)
    assert net.step == net.cfg.steps and get_motion(net.cfg.motion).mean_speed <= 0.3
    maps = bottleneck_ratemaps(net, n_trajectories=5000, nbins=32)
    deepmind = score_ratemaps(maps, mode="deepmind").fraction(0.37)
    assert deepmind >= 0.20
    recorded = json.loads((SECOND / "provenance.json").read_text())
    assert abs(recorded["metrics"]["deepmind_fraction_above_0.37"] - deepmind) < 1e-9
    gc = score_ratemaps(maps, mode="gridcore")
    scale = float(np.nanmedian(gc.scale_m[gc.grid_like]))
    # 1 µm: float sums differ in their last bits between CPU models
    assert scale == pytest.approx(recorded["metrics"]["median_scale_m_grid_like"], abs=1e-6)
    assert "--preset quick" in recorded["command"] and "motion=paper" in recorded["command"]


THIRD = RUN.parent / "grid-lstm-modules"


def test_third_network_holds_two_grid_modules_and_scores_as_recorded():
    """Two place ensembles read out from separate halves of the bottleneck: >= 20 % grid-like
    units (DeepMind's scorer), scales in at least two discrete modules (the discreteness test
    against one Gaussian, p <= 0.05) whose neighbouring centres are 1.3-1.7 apart, and the
    provenance's figures are what scoring it again gives."""
    from gridcore.scoring.scale_modules import discreteness_test

    net = load_network(THIRD)
    assert net.step == net.cfg.steps and net.cfg.place_readout == "sliced"
    maps = bottleneck_ratemaps(net, n_trajectories=5000, nbins=32)
    deepmind = score_ratemaps(maps, mode="deepmind").fraction(0.37)
    assert deepmind >= 0.20
    recorded = json.loads((THIRD / "provenance.json").read_text())
    assert abs(recorded["metrics"]["deepmind_fraction_above_0.37"] - deepmind) < 1e-9
    gc = score_ratemaps(maps, mode="gridcore")
    scales = gc.scale_m[gc.scaled_units]
    test = discreteness_test(scales, seed=0)
    assert test.discrete and test.k >= 2
    assert np.all((test.clusters.ratios >= 1.3) & (test.clusters.ratios <= 1.7))
    assert "place_readout=sliced" in recorded["command"]


def test_the_build_scripts_tail_trains_scores_and_records_provenance(tmp_path):
    out = tmp_path / "net"
    cmd = ["python", "-m", "gridcore", "train", "--preset", "tiny", "--steps", "10"]
    cmd += ["--out", str(out), "--quiet"]
    root = RUN.parent.parent
    env = {**os.environ, "PY": sys.executable}
    subprocess.run(
        [str(root / "checkpoints" / "record_build.sh"), str(out), *cmd],
        cwd=root, env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["command"] == " ".join(cmd) and provenance["seed"] == 0
    scores = json.loads((out / "scores.json").read_text())
    assert provenance["metrics"] == scores and scores["n_units"] == 32


FIFTEEN = RUN.parent / "grid-lstm-15s"


def test_the_15s_network_is_the_median_seed_of_its_sweep_and_scores_as_recorded():
    """The paper's rat, inputs and targets on 15 s examples of 100 steps, the seed that the
    median rule picks from paper-rat-15s, and the provenance's figures are what scoring it
    again gives."""
    import pandas as pd

    from gridcore import shipped
    from gridcore.analysis.paper_recipe import median_seed

    net = load_network(FIFTEEN)
    cfg = net.cfg
    assert net.step == cfg.steps and cfg.trajectory_seconds == 15.0 and cfg.seq_len == 100
    assert (cfg.motion, cfg.velocity_input, cfg.place_kind, cfg.use_hd) == (
        "paper", "egocentric", "gaussian", True,
    )  # fmt: skip
    table = pd.read_csv(shipped.sweep("paper-rat-15s") / "results.csv")
    done = table[table["status"] == "done"].set_index("trial")
    assert len(done) == 10 and median_seed(done["grid_fraction_037"]) == f"quick-seed{cfg.seed}"
    maps = bottleneck_ratemaps(net, n_trajectories=5000, nbins=32)
    deepmind = score_ratemaps(maps, mode="deepmind").fraction(0.37)
    recorded = json.loads((FIFTEEN / "provenance.json").read_text())
    assert abs(recorded["metrics"]["deepmind_fraction_above_0.37"] - deepmind) < 1e-9
