import json
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from gridcore.cli import main


def run_cli(*args):
    """Run ``python -m gridcore`` in a subprocess; return (rc, stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "gridcore", *args], capture_output=True, text=True, timeout=300
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_train_and_resume_from_the_command_line(tmp_path):
    out = tmp_path / "run"
    rc, stdout, _ = run_cli(
        "train", "--preset", "tiny", "--steps", "30", "--out", str(out), "--quiet"
    )
    assert rc == 0 and "step 30" in stdout
    half = tmp_path / "half"
    assert main(["train", "--preset", "tiny", "--steps", "15", "--out", str(half), "--quiet"]) == 0
    assert main(["train", "--steps", "30", "--out", str(half), "--resume", "--quiet"]) == 0
    a, b = load_file(out / "model.safetensors"), load_file(half / "model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "--preset", "huge", "--out", "{tmp}/a"], "unknown preset"),
        (["train", "--steps", "0", "--out", "{tmp}/a"], "positive integer"),
        (["train", "--steps", "-5", "--out", "{tmp}/a"], "positive integer"),
        (["train", "--batch-size", "0", "--out", "{tmp}/a"], "positive integer"),
        (["train", "--set", "n_hidden=0", "--out", "{tmp}/a"], "n_hidden"),
        (["train", "--set", "lr=abc", "--out", "{tmp}/a"], "expected a float"),
        (["train", "--set", "nonsense=1", "--out", "{tmp}/a"], "KEY=VALUE"),
        (["train", "--set", "device=gpu", "--out", "{tmp}/a"], "device must be one of"),
        (["train", "--set", "velocity_input=xy", "--out", "{tmp}/a"], "velocity_input must be"),
        (["train", "--set", "core=attention", "--set", "n_hidden=36", "--out", "{tmp}/a"], "of 8"),
        pytest.param(
            ["train", "--preset", "tiny", "--set", "device=cuda", "--out", "{tmp}/a"],
            "device cuda: torch",
            marks=pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is visible"),
        ),
        (["train", "--out", "/proc/gridcore-run"], "cannot write"),
        (["train", "--out", "{tmp}/none", "--resume"], "nothing to resume"),
        (["score", "{tmp}/missing.npy"], "no such"),
        (["compare", "{tmp}/none"], "nor a shipped network"),
        (["score", "no-such-network"], "shipped: grid-lstm"),
        (["compare", "{tmp}/none", "--sweep", "{tmp}"], "together"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_gives_one_line(tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    rc, stdout, stderr = run_cli(*args)
    assert rc == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gridcore: error:"), stderr
    assert message in lines[0]
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    "sets", [["core=attention"], ["core=rnn_relu", "use_hd=false", "velocity_input=allocentric"]]
)
def test_train_the_issue_10_variants_from_the_command_line(tmp_path, sets):
    from gridcore.net.runs import load_run

    out = tmp_path / "run"
    args = ["train", "--preset", "tiny", "--steps", "6", "--out", str(out), "--quiet"]
    assert main([*args, *(a for s in sets for a in ("--set", s))]) == 0
    model, _, cfg, step = load_run(out)
    assert step == 6 and model.core_name == cfg.core
    assert (model.hd_head is None) == (not cfg.use_hd)


def test_unwritable_output_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    rc, _, stderr = run_cli("train", "--preset", "tiny", "--out", str(blocker / "run"))
    assert rc == 2 and "cannot write" in stderr and len(stderr.strip().splitlines()) == 1


def test_corrupt_checkpoint_on_resume(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--preset", "tiny", "--steps", "5", "--out", str(out), "--quiet"]) == 0
    (out / "train_state.safetensors").write_bytes(b"not a checkpoint")
    before = (out / "config.json").read_text()
    rc, _, stderr = run_cli("train", "--out", str(out), "--resume", "--steps", "10")
    assert rc == 2 and "not a valid safetensors" in stderr
    assert (out / "config.json").read_text() == before  # nothing half-written


def test_resume_accepts_equal_flags_and_names_a_different_one(tmp_path):
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--preset",
                "tiny",
                "--seed",
                "3",
                "--steps",
                "5",
                "--out",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )
    rc, _, _ = run_cli(
        "train", "--out", str(out), "--resume", "--seed", "3", "--steps", "8", "--quiet"
    )
    assert rc == 0
    rc, _, stderr = run_cli("train", "--out", str(out), "--resume", "--seed", "4", "--steps", "9")
    assert rc == 2 and "seed: 3 (saved) vs 4 (requested)" in stderr
    rc, _, stderr = run_cli(
        "train", "--out", str(out), "--resume", "--preset", "quick", "--steps", "9"
    )
    assert rc == 2 and "lr: 0.003 (saved) vs 0.001 (requested)" in stderr
    rc, _, stderr = run_cli("train", "--out", str(out), "--resume", "--preset", "tiny")
    assert rc == 2 and "seed: 3 (saved) vs 0 (requested)" in stderr  # a preset's seed is 0
    rc, _, stderr = run_cli(
        "train", "--out", str(out), "--resume", "--preset", "tiny", "--seed", "3", "--quiet"
    )
    assert rc == 0, stderr


def test_divergence_has_its_own_exit_status(tmp_path):
    rc, stdout, stderr = run_cli(
        "train",
        "--preset",
        "tiny",
        "--set",
        "lr=1e6",
        "--set",
        "grad_clip=0",
        "--set",
        "optimizer=sgd",
        "--steps",
        "50",
        "--out",
        str(tmp_path / "r"),
        "--quiet",
    )
    lines = stderr.strip().splitlines()
    assert rc == 3 and len(lines) == 1 and "diverged at step" in lines[0], stderr
    assert "Traceback" not in stderr


def test_a_3d_run_trains_and_scores_from_the_command_line(tmp_path):
    out = tmp_path / "cube"
    small = ["--set", "n_hidden=16", "--set", "n_bottleneck=16", "--set", "seq_len=20"]
    rc, stdout, err = run_cli(
        "train", "--preset", "quick-3d", "--steps", "10", *small, "--out", str(out), "--quiet"
    )
    assert rc == 0, err
    rc, stdout, err = run_cli(
        "score", str(out), "--trajectories", "40", "--nbins", "6", "--shuffles", "2", "--json"
    )
    assert rc == 0, err
    summary = json.loads(stdout)
    assert summary["dims"] == 3 and summary["units"] == 16 and summary["nbins"] == 6, summary
    assert 0 <= summary["units_with_12_peaks"] <= 16 and summary["min_samples_per_bin"] >= 0


def test_compare_sets_a_run_beside_the_paper_and_names_a_missing_condition(tmp_path):
    run = tmp_path / "run"
    assert main(["train", "--preset", "tiny", "--steps", "10", "--out", str(run), "--quiet"]) == 0
    rc, stdout, _ = run_cli("compare", str(run), "--trajectories", "20", "--paths", "2", "--json")
    assert rc == 0
    table = json.loads(stdout)
    assert set(table) == {"paper", "run"}
    assert table["paper"]["grid-like units, > 0.37 (%)"] == "25.2"
    assert table["run"]["training steps"] == "10"
    sweep = tmp_path / "sweep"
    sweep.mkdir()
    (sweep / "results.csv").write_text("condition,status\nbaseline,done\n")
    rc, _, stderr = run_cli("compare", str(run), "--sweep", str(sweep), "--condition", "other")
    assert rc == 2 and "it has: baseline" in stderr and "Traceback" not in stderr


def test_a_shipped_network_is_named_as_the_readme_prints_it(tmp_path):
    """`gridcore score grid-lstm` from any directory scores the shipped network."""
    proc = subprocess.run(
        [sys.executable, "-m", "gridcore", "score", "grid-lstm", "--trajectories", "100"]
        + ["--shuffles", "0", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["n_units"] == 256
