"""experiments/vector_navigation.py end to end at tiny sizes: its tables, and resuming."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from gridcore.cli import main as gridcore_main

pytest.importorskip("stable_baselines3")
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "vector_navigation.py"


def run(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=900
    )


def test_the_experiment_writes_its_tables_and_resumes(tmp_path):
    net = tmp_path / "net"
    args = ["train", "--preset", "tiny", "--set", "anchor_prob=0.1", "--steps", "5"]
    assert gridcore_main([*args, "--out", str(net), "--quiet"]) == 0
    out = tmp_path / "vn"
    common = ["--quick", "--network", str(net), "--out", str(out), "--force"]
    proc = run(*common, "--variants", "bottleneck", "baseline", "--seeds", "0")
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = pd.read_csv(out / "navigation.csv")
    assert {"network", "variant", "seed", "env_steps", "goals_per_episode"} <= set(table.columns)
    assert set(table.variant) == {"bottleneck", "baseline"}
    assert {"held-out", "shortcut", "lesion grid 10%", "lesion random 40%"} <= set(table.condition)
    assert "success" in pd.read_csv(out / "preflight.csv").columns
    assert (out / "agents" / "goal-doors-bottleneck-seed0.safetensors").is_file()
    before = len(table)
    again = run(*common, "--variants", "bottleneck", "--seeds", "0")
    assert again.returncode == 0 and len(pd.read_csv(out / "navigation.csv")) == before


def test_a_failed_preflight_stops_before_training(tmp_path):
    net = tmp_path / "net"
    args = ["train", "--preset", "tiny", "--set", "anchor_prob=0.1", "--steps", "5"]
    assert gridcore_main([*args, "--out", str(net), "--quiet"]) == 0
    proc = run(
        "--network",
        str(net),
        "--out",
        str(tmp_path / "vn"),
        "--episode-steps",
        "300",
        "--preflight-envs",
        "8",
    )
    assert proc.returncode == 2 and "pre-flight" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "vn" / "navigation.csv").exists()
