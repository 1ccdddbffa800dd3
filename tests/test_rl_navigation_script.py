import importlib.util
from pathlib import Path

import pandas as pd
import pytest
import yaml

from gridcore.errors import GridcoreError

pytest.importorskip("stable_baselines3")

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "experiments" / "rl_navigation.py"
pytestmark = pytest.mark.skipif(
    not (ROOT / "checkpoints" / "grid-lstm").is_dir(), reason="no shipped checkpoint"
)


def _script():
    spec = importlib.util.spec_from_file_location("rl_navigation", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_quick_experiment_writes_its_tables_and_resumes(tmp_path, capsys):
    script = _script()
    args = ["--quick", "--variants", "grid", "--out", str(tmp_path)]
    assert script.main(args) == 0
    results = pd.read_csv(tmp_path / "navigation.csv")
    curves = pd.read_csv(tmp_path / "learning_curves.csv")
    assert (tmp_path / "spec.yaml").is_file()
    assert (tmp_path / ".gitignore").read_text() == "agents/\n"  # the agents stay out of git
    spec = yaml.safe_load((tmp_path / "spec.yaml").read_text())
    assert spec["networks"]["grid-lstm"]["run_dir"] == "checkpoints/grid-lstm"  # no machine path
    for column in (
        *script.KEY,
        *("condition", "policy", "lesion", "k", "success_rate", "path_ratio"),
        *("episodes_to_50", "env_steps_to_50", "door_first_rate", "test_min_distance_m"),
    ):
        assert column in results.columns
    assert set(results["condition"]) == {"training goals", "held-out goals", "lesion", "shortcut"}
    assert set(results["training"]) == {"box", "two-rooms"}
    baselines = results[results["condition"] == "held-out goals"]["policy"]
    assert set(baselines) == {"agent", "agent, sampled", "random actions", "random walk"}
    assert set(results[results["condition"] == "lesion"]["lesion"]) == {"grid", "random"}
    assert {"episode", "env_steps", "success_rate", *script.KEY} <= set(curves.columns)
    assert len(curves.groupby(script.KEY)) == 2
    capsys.readouterr()

    assert script.main(args) == 0  # finished agents are skipped, the tables unchanged
    printed = capsys.readouterr().out
    assert printed.count("skip ") == 2 and "done " not in printed
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "navigation.csv"), results)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "learning_curves.csv"), curves)


def test_other_settings_in_the_same_directory_are_refused(tmp_path, capsys):
    script = _script()
    (tmp_path / "spec.yaml").write_text("steps: 1\n")
    assert script.main(["--quick", "--variants", "grid", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "other settings" in err[0]
    assert script.main(["--quick", "--steps", "0", "--out", str(tmp_path / "x")]) == 2
    assert "positive integers" in capsys.readouterr().err


def test_parts_of_one_experiment_merge_into_one_spec(tmp_path):
    script = _script()
    spec = {
        "networks": {"a": {"run_dir": "x", "sha256": "1"}},
        "variants": ["grid"],
        "seeds": [1],
        "steps": 5,
    }
    part = {
        "networks": {"b": {"run_dir": "y", "sha256": "2"}, "a": {"run_dir": "z", "sha256": "1"}},
        "variants": ["place", "grid"],
        "seeds": [0],
        "steps": 5,
    }
    path = tmp_path / "spec.yaml"
    both = script.merged(spec, part, path)
    assert list(both["networks"]) == ["a", "b"] and both["networks"]["a"]["run_dir"] == "x"
    assert both["variants"] == ["grid", "place"] and both["seeds"] == [0, 1]
    with pytest.raises(GridcoreError, match="other settings"):
        script.merged(spec, part | {"steps": 6}, path)
    with pytest.raises(GridcoreError, match="agents of another a"):
        script.merged(spec, part | {"networks": {"a": {"sha256": "3"}}}, path)


def test_parts_run_apart_merge_into_one_directory(tmp_path, capsys):
    script = _script()
    for seed in (0, 1):
        args = ["--quick", "--variants", "grid", "--no-shortcut", "--seeds", str(seed)]
        assert script.main([*args, "--out", str(tmp_path / f"part{seed}")]) == 0
    whole = tmp_path / "whole"
    assert (
        script.main(
            ["--merge", str(tmp_path / "part0"), str(tmp_path / "part1"), "--out", str(whole)]
        )
        == 0
    )
    assert "merged 2 agents" in capsys.readouterr().out
    results = pd.read_csv(whole / "navigation.csv")
    assert sorted(results["seed"].unique()) == [0, 1]
    assert yaml.safe_load((whole / "spec.yaml").read_text())["seeds"] == [0, 1]
    assert (whole / "agents" / "grid-lstm" / "box" / "grid" / "seed1" / "agent.zip").is_file()
    capsys.readouterr()
    args = [
        "--quick",
        "--variants",
        "grid",
        "--no-shortcut",
        "--seeds",
        "0",
        "1",
        "--out",
        str(whole),
    ]
    assert script.main(args) == 0  # the merged directory resumes: nothing left to train
    assert capsys.readouterr().out.count("skip ") == 2
    assert script.main(["--merge", str(tmp_path / "nothing"), "--out", str(whole)]) == 2
