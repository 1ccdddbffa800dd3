"""gridcore sweep: a spec checked before anything runs, trials on Ray Tune, one results table,
resumption after a kill. Tiny networks (the ``tiny`` preset, 30 steps) so that the module runs in
well under a minute on 2 cores; one Ray session serves every test that trains."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

from gridcore import plots, sweeps
from gridcore.errors import GridcoreError
from gridcore.net.config import TrainConfig
from gridcore.net.runs import read_history
from gridcore.training.train import train

matplotlib.use("Agg")

# CI installs the sweeps extra (make's venv target), so there the tests must run, not skip.
if os.environ.get("CI"):
    import ray
else:
    ray = pytest.importorskip("ray", reason="the sweeps extra is not installed")

SPEC = """\
preset: tiny
set: {checkpoint_every: 10}
grid:
  dropout: [0.0, 0.5]
seeds: 2
steps: 30
score_every: 10
score_trajectories: 20
"""


@pytest.fixture(scope="module")
def ray_session():
    """One local Ray for the module (a sweep uses a session it finds and leaves it running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def swept(ray_session, tmp_path_factory):
    """A finished 2 x 2 sweep: (spec path, sweep directory, the run's report)."""
    root = tmp_path_factory.mktemp("sweep")
    spec = root / "spec.yaml"
    spec.write_text(SPEC)
    res = sweeps.run(spec, root / "out", workers=2, verbose=0)
    return spec, root / "out", res


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------------------------
# The spec


def test_spec_expands_grid_cases_and_seeds(tmp_path):
    spec = sweeps.load_spec(
        write(
            tmp_path,
            "preset: tiny\nset: {dropout: 0.25}\ngrid: {batch_size: [10, 20]}\n"
            "cases:\n  adam: {optimizer: adam, lr: 1e-4}\n  tf1: {lr: 3.0e-4}\n"
            "seeds: [3, 5]\nsteps: 40\nscore_every: 20\nscore_trajectories: 30\n",
        )
    )
    trials = spec.trials(tmp_path / "out")
    assert len(trials) == 2 * 2 * 2
    assert [c for c, _ in spec.conditions()] == [
        "adam, batch_size=10",
        "adam, batch_size=20",
        "tf1, batch_size=10",
        "tf1, batch_size=20",
    ]
    first = trials[0]
    assert first.name == "adam,batch_size=10-seed3" and first.seed == 3
    assert first.cfg.lr == 1e-4 and first.cfg.optimizer == "adam"  # YAML's "1e-4" is a string
    assert first.cfg.dropout == 0.25 and first.cfg.steps == 40 and first.cfg.seed == 3
    assert first.cfg.score_every == 20 and first.cfg.log_every == 20  # tiny logs every 20
    assert spec.varied_fields() == ["batch_size", "optimizer", "lr"]
    assert first.run_dir == (tmp_path / "out" / "trials" / first.name).resolve()


def test_seed_count_and_single_condition(tmp_path):
    spec = sweeps.load_spec(write(tmp_path, "preset: tiny\nseeds: 3\nscore_every: 30\n"))
    trials = spec.trials(tmp_path)
    assert [t.seed for t in trials] == [0, 1, 2] and {t.condition for t in trials} == {"tiny"}
    assert trials[0].cfg.log_every == 10  # gcd(20, 30): the loop scores on logged steps


@pytest.mark.parametrize(
    "text, message",
    [
        ("preset: tiny\ngird: {dropout: [0.1]}\n", "unknown key 'gird'"),
        ("preset: tiny\ngrid: {droput: [0.1]}\n", "did you mean 'dropout'"),
        ("preset: tiny\ngrid: {}\n", "grid is empty"),
        ("preset: tiny\ngrid: {dropout: []}\n", "empty list"),
        ("preset: tiny\ngrid: {dropout: [1.5]}\n", "dropout must be in [0, 1)"),
        ("preset: tiny\nset: {n_hidden: 0}\n", "n_hidden must be a positive integer"),
        ("preset: tiny\nset: {lr: fast}\n", "lr must be a number"),
        ("preset: tiny\nset: {core: transformer}\n", "core must be one of"),
        ("preset: tiny\ncases: {a: {seed: 1}}\n", "top-level `seeds`"),
        ("preset: tiny\ncases: {}\n", "cases must be a non-empty mapping"),
        ("preset: tiny\ngrid: {lr: [0.1]}\ncases: {a: {lr: 0.2}}\n", "grid already varies"),
        ("preset: tiny\nseeds: 0\n", "seeds"),
        ("preset: tiny\nseeds: [1, 1]\n", "distinct"),
        ("preset: huge\n", "preset must be one of"),
        ("- just a list\n", "must be a YAML mapping"),
        ("preset: [tiny\n", "not valid YAML"),
        ("preset: tiny\nreuse: [../elsewhere]\n", "names of sibling sweep directories"),
        ("preset: tiny\nreuse: {a: 1}\n", "names of sibling sweep directories"),
    ],
)
def test_bad_spec_is_one_error(tmp_path, text, message):
    with pytest.raises(GridcoreError) as err:
        sweeps.load_spec(write(tmp_path, text))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_bad_spec_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    spec = write(tmp_path, "preset: tiny\ngrid: {dropout: [0.1, 2.0]}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "gridcore", "sweep", str(spec), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert lines[0].startswith("gridcore: error:") and "dropout must be in [0, 1)" in lines[0]
    assert not (tmp_path / "o").exists()  # nothing ran, nothing was written


# --------------------------------------------------------------------------------------------
# Running, resuming, reading


def test_sweep_gives_one_row_per_trial(swept):
    _, out, res = swept
    assert sorted(res.trained) == sorted(res.table["trial"]) and not res.skipped
    table = sweeps.load(out)
    assert len(table) == 4 and set(table["status"]) == {"done"}
    assert list(table.columns[:4]) == ["trial", "condition", "dropout", "seed"]
    assert set(sweeps.RESULT_COLUMNS) <= set(table.columns)
    assert table["condition"].tolist() == ["dropout=0.0"] * 2 + ["dropout=0.5"] * 2
    assert table["seed"].tolist() == [0, 1, 0, 1] and (table["step"] == 30).all()
    assert table["grid_fraction_037"].between(0, 1).all()
    assert table["shuffle_threshold"].notna().all() and (table["wall_s"] > 0).all()
    # Each network also path-integrates for 15 s, trained and untrained, on its own rat's paths
    # and (with the rats extra) along the recorded rat's.
    assert (table[["position_error_15s_cm", "untrained_error_15s_cm"]] > 0).all().all()
    real = table[["real_path_error_15s_cm", "untrained_real_path_error_15s_cm"]]
    assert (
        (real > 0).all().all() if importlib.util.find_spec("ratinabox") else real.isna().all().all()
    )
    # Every trial is an ordinary run directory, scored while it trained (steps 10, 20, 30).
    curves = sweeps.load_curves(out)
    one = curves[(curves.trial == "dropout=0.5-seed1") & (curves.metric == "grid_fraction_037")]
    assert one[one.source == "training"]["step"].tolist() == [10, 20, 30]
    assert one[one.source == "final"]["step"].tolist() == [30]
    cfg = TrainConfig.load(out / "trials" / "dropout=0.5-seed1" / "config.json")
    assert cfg.dropout == 0.5 and cfg.seed == 1 and cfg.steps == 30
    # Results, spec and each trial's outcome go into git; run directories and Ray's records not.
    ignore = (out / ".gitignore").read_text().split()
    assert {"trials/*/*", "!trials/*/sweep_trial.json", "ray/"} <= set(ignore)
    assert (out / "spec.yaml").read_text() == SPEC


def test_a_fresh_clone_of_a_finished_sweep_trains_nothing(swept, tmp_path):
    """What git keeps (spec, tables, .gitignore, each trial's sweep_trial.json) is enough."""
    import shutil

    spec, out, _ = swept
    clone = tmp_path / "clone"
    for name in ("spec.yaml", "results.csv", "curves.csv", ".gitignore"):
        (clone).mkdir(exist_ok=True)
        shutil.copy(out / name, clone / name)
    for record in (out / "trials").glob("*/sweep_trial.json"):
        (clone / "trials" / record.parent.name).mkdir(parents=True)
        shutil.copy(record, clone / "trials" / record.parent.name / record.name)
    res = sweeps.run(spec, clone, workers=2, verbose=0)
    assert res.trained == [] and len(res.skipped) == 4
    assert (clone / "results.csv").read_text() == (out / "results.csv").read_text()


def test_a_sweep_reuses_what_a_sibling_sweep_trained_with_the_same_config(swept):
    spec, out, _ = swept
    text = SPEC.replace("grid:\n  dropout: [0.0, 0.5]\n", "cases:\n  no dropout: {dropout: 0.0}\n")
    sibling = out.parent / "reusing"
    (out.parent / "specs").mkdir(exist_ok=True)
    other = write(out.parent / "specs", text + "reuse: [out]\n")
    res = sweeps.run(other, sibling, workers=2, verbose=0)
    assert res.trained == [] and len(res.skipped) == 2 and not res.unfinished
    table = sweeps.load(sibling).set_index("seed")
    donor = sweeps.load(out).query("condition == 'dropout=0.0'").set_index("seed")
    assert table["reused_from"].tolist() == ["out/dropout=0.0-seed0", "out/dropout=0.0-seed1"]
    assert table["condition"].unique().tolist() == ["no dropout"]
    cols = ["grid_fraction_037", "position_error_cm", "loss", "step"]
    assert table[cols].equals(donor[cols])
    assert len(sweeps.load_curves(sibling)) == len(
        sweeps.load_curves(out).query("condition == 'dropout=0.0'")
    )
    # A trial whose config differs from every donor's (here: its seed) is not reused.
    from gridcore.sweeps.trials import reusable_records, reuse_trial

    donors = reusable_records([out])
    trial = sweeps.load_spec(other).trials(out.parent / "elsewhere")[0]
    assert reuse_trial(replace(trial, cfg=replace(trial.cfg, seed=7)), donors) is None
    assert reuse_trial(replace(trial, cfg=replace(trial.cfg, lr=0.5)), donors) is None
    with pytest.raises(GridcoreError, match="not a readable sweep"):
        reusable_records([out.parent / "missing"])


def test_loss_terms_come_from_the_run_that_trained_each_trial(swept):
    _, out, _ = swept
    own = sweeps.with_loss_terms(out)
    for _, row in own.iterrows():
        last = read_history(out / "trials" / row["trial"])[-1]
        assert row["l2_loss"] == pytest.approx(last["l2_loss"])
        assert row["place_loss"] + row["hd_loss"] + row["l2_loss"] == pytest.approx(last["loss"])
        assert 0 < row["l2_share"] < 1
    # A reused trial's terms are its donor's; a trial without a run directory gets NaN.
    row = pd.Series({"trial": "x", "reused_from": f"{out.name}/{own['trial'].iloc[0]}"})
    assert (
        sweeps.trial_run_dir(out.parent / "sibling", row) == out / "trials" / own["trial"].iloc[0]
    )
    missing = own.head(1).assign(trial="missing")
    assert sweeps.with_loss_terms(out, missing)["l2_loss"].isna().all()


def test_reuse_measures_what_an_older_donor_record_lacks(swept, tmp_path):
    from gridcore.sweeps.spec import LATER_METRICS
    from gridcore.sweeps.trials import reusable_records, reuse_trial

    _, out, _ = swept
    donors = reusable_records([out])
    key, (origin, record, run_dir) = next(iter(donors.items()))
    older = {k: v for k, v in record.items() if k not in LATER_METRICS}
    older["curve"] = [
        {k: v for k, v in p.items() if k not in LATER_METRICS} for p in older["curve"]
    ]
    trial = next(
        t
        for t in sweeps.load_spec(out / "spec.yaml").trials(tmp_path)
        if t.run_dir.name == origin.split("/")[1]
    )
    got = reuse_trial(trial, {key: (origin, older, run_dir)})
    for metric in LATER_METRICS[:2]:
        assert got[metric] == pytest.approx(record[metric])
        assert got["curve"][-1][metric] == pytest.approx(record[metric])
    # Without the donor's saved network the record is reused as it is.
    bare = reuse_trial(trial, {key: (origin, older, tmp_path / "gone")})
    assert not set(LATER_METRICS) & set(bare)


def test_rerun_trains_nothing(swept):
    spec, out, _ = swept
    weights = sorted((out / "trials").glob("*/model.safetensors"))
    before = {p: p.stat().st_mtime_ns for p in weights}
    res = sweeps.run(spec, out, workers=2, verbose=0)
    assert res.trained == [] and len(res.skipped) == 4 and not res.unfinished
    assert {p: p.stat().st_mtime_ns for p in weights} == before
    assert len(res.table) == 4


def test_a_different_spec_is_refused(swept, tmp_path):
    _, out, _ = swept
    other = write(tmp_path, SPEC.replace("seeds: 2", "seeds: 3"))
    with pytest.raises(GridcoreError, match="different spec .*seeds"):
        sweeps.run(other, out, verbose=0)


def test_killed_sweep_resumes_and_finishes(swept, tmp_path):
    """Kill simulated: one trial finished, one stopped at its step-10 checkpoint, two never
    started. The rerun trains the three and leaves the finished one alone; the interrupted one
    ends with the same weights as the uninterrupted sweep's (gridcore's exact resume)."""
    spec, done, _ = swept
    out = tmp_path / "out"
    shutil.copytree(done, out, ignore=shutil.ignore_patterns("ray"))
    (out / "results.csv").unlink()
    trials = out / "trials"
    for name in ("dropout=0.0-seed1", "dropout=0.5-seed0", "dropout=0.5-seed1"):
        shutil.rmtree(trials / name)
    half = trials / "dropout=0.0-seed1"
    cfg = TrainConfig.load(done / "trials" / "dropout=0.0-seed1" / "config.json")
    train(replace(cfg, steps=10), half, progress=False)  # the run as a kill at step 10 left it
    kept = (trials / "dropout=0.0-seed0" / "model.safetensors").stat().st_mtime_ns

    res = sweeps.run(spec, out, workers=2, verbose=0)
    assert sorted(res.trained) == ["dropout=0.0-seed1", "dropout=0.5-seed0", "dropout=0.5-seed1"]
    assert res.skipped == ["dropout=0.0-seed0"] and not res.unfinished
    assert (trials / "dropout=0.0-seed0" / "model.safetensors").stat().st_mtime_ns == kept
    table = sweeps.load(out)
    assert len(table) == 4 and set(table["status"]) == {"done"}
    a = load_file(done / "trials" / "dropout=0.0-seed1" / "model.safetensors")
    b = load_file(half / "model.safetensors")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_diverging_and_failing_trials_are_recorded(tmp_path, monkeypatch):
    """In-process (no Ray): what a trial saves when it diverges or fails, and the table."""
    path = write(tmp_path, "preset: tiny\nseeds: [0]\nsteps: 30\n")
    spec = sweeps.load_spec(path)
    (trial,) = spec.trials(tmp_path / "out")
    wild = replace(trial, cfg=replace(trial.cfg, lr=1e4, grad_clip=0.0, diverge_factor=1.01))
    record = sweeps.run_trial(wild)
    assert record["status"] == "diverged" and "diverged at step" in record["error"]
    assert sweeps.read_trial(trial)["step"] == record["step"] > 0

    def boom(*args, **kwargs):
        raise RuntimeError("out of memory\nsecond line")

    monkeypatch.setattr(sweeps.trials, "train", boom)
    record = sweeps.run_trial(trial)
    assert record["status"] == "failed" and record["error"] == "RuntimeError: out of memory"
    table = sweeps.write_tables(tmp_path / "out", spec, [trial])
    assert table[["status", "error"]].values.tolist() == [["failed", "RuntimeError: out of memory"]]


def test_snapshot_curves_score_every_trials_weights_over_training(swept):
    _, out, _ = swept
    curves = sweeps.snapshot_curves(out, n_trajectories=20)
    assert list(curves.columns) == list(sweeps.load_curves(out).columns)
    assert set(curves["trial"]) == set(sweeps.load(out)["trial"])
    assert set(curves["source"]) == {"snapshot"}
    assert set(curves["metric"]) == {"grid_fraction_037", "median_scale_m", "scale_clusters"}
    assert curves.groupby("trial")["step"].max().eq(30).all()  # the final weights count
    fractions = curves.loc[curves["metric"] == "grid_fraction_037", "value"]
    assert fractions.between(0, 1).all()
    ax = plots.plot_curves(curves, "grid_fraction_037", source="snapshot")
    assert len(ax.get_lines()) == 4 + 1  # one line per seed and the median
    with pytest.raises(GridcoreError, match="no training scorings of 'median_scale_m'"):
        plots.plot_curves(curves, "median_scale_m")


def test_snapshot_curves_of_trials_still_training(swept, tmp_path):
    import shutil

    _, out, _ = swept
    copy = tmp_path / "out"
    shutil.copytree(out, copy, ignore=shutil.ignore_patterns(".lock"))
    trial = sorted((copy / "trials").iterdir())[0]
    (trial / "sweep_trial.json").unlink()  # as a trial still training has no outcome yet
    assert trial.name not in set(sweeps.snapshot_curves(copy, n_trajectories=20)["trial"])
    with_it = sweeps.snapshot_curves(copy, n_trajectories=20, unfinished=True)
    assert trial.name in set(with_it["trial"])
    assert set(with_it["trial"]) == {p.name for p in (copy / "trials").iterdir()}


# --------------------------------------------------------------------------------------------
# Several trials as one stacked network


def test_packs_share_all_but_the_seed_and_the_checkpoint_step(tmp_path):
    from gridcore.sweeps.runner import _packs

    spec = sweeps.load_spec(write(tmp_path, SPEC.replace("seeds: 2", "seeds: 3")))
    trials = spec.trials(tmp_path / "out")
    packs = _packs(trials, 2)
    assert [[t.name for t in p] for p in packs.values()] == [
        ["dropout=0.0-seed0", "dropout=0.0-seed1"],
        ["dropout=0.0-seed2"],
        ["dropout=0.5-seed0", "dropout=0.5-seed1"],
        ["dropout=0.5-seed2"],
    ]
    assert list(packs)[:2] == ["dropout=0.0-seed0+1", "dropout=0.0-seed2"]
    # A trial with a checkpoint at another step than its fellows trains in a pack of its own.
    train(replace(trials[1].cfg, steps=10), trials[1].run_dir, progress=False)
    names = [[t.name for t in p] for p in _packs(trials[:3], 3).values()]
    assert names == [["dropout=0.0-seed0", "dropout=0.0-seed2"], ["dropout=0.0-seed1"]]


def test_models_per_worker_gives_the_same_table(swept, tmp_path):
    """Two seeds per condition, packed two at a time: one stacked network per condition, and
    the results are those of the sweep that trained each trial alone."""
    spec, alone, _ = swept
    res = sweeps.run(spec, tmp_path / "out", workers=2, verbose=0, models_per_worker=2)
    assert sorted(res.trained) == sorted(res.table["trial"]) and not res.unfinished
    packed, single = sweeps.load(tmp_path / "out"), sweeps.load(alone)
    assert list(packed.columns) == list(single.columns) and len(packed) == len(single) == 4
    assert packed[["trial", "condition", "seed", "status", "step"]].equals(
        single[["trial", "condition", "seed", "status", "step"]]
    )
    assert packed["loss"].to_numpy() == pytest.approx(single["loss"].to_numpy(), rel=1e-3)
    curves = sweeps.load_curves(tmp_path / "out")
    assert len(curves) == len(sweeps.load_curves(alone))
    for trial in single["trial"]:
        a = load_file(alone / "trials" / trial / "model.safetensors")
        b = load_file(tmp_path / "out" / "trials" / trial / "model.safetensors")
        assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
    again = sweeps.run(spec, tmp_path / "out", workers=2, verbose=0, models_per_worker=2)
    assert again.trained == [] and len(again.skipped) == 4
