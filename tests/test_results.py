"""Scoring a ratemap file, a run and a run's snapshots (the score command and the results
chapters). The tables built from these are tested in test_results_tables.py."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from gridcore.analysis import results
from gridcore.analysis.ratemaps import EVAL_SEED, bottleneck_ratemaps
from gridcore.errors import GridcoreError
from gridcore.net import runs
from gridcore.net.config import get_preset
from gridcore.net.task import build
from gridcore.scoring import binning, synthetic
from gridcore.scoring import scores as S
from gridcore.training.train import train


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A 30-step tiny run with snapshots at 10, 20 and 30."""
    run_dir = tmp_path_factory.mktemp("results") / "run"
    train(get_preset("tiny", steps=30, snapshot_every=10, log_every=10), run_dir, progress=False)
    return run_dir


# --------------------------------------------------------------------------------------------
# The score command: a file or a run


def test_score_path_on_ratemap_files(tmp_path):
    rng = np.random.default_rng(13)
    maps = np.stack(
        [
            synthetic.hexagonal_map(
                16, rng.uniform(0.45, 0.9), rng.uniform(0, 180), rng.uniform(0, 2 * np.pi, 3)
            )
            for _ in range(4)
        ]
    )
    maps[0, 0, 0] = np.nan
    np.save(tmp_path / "maps.npy", maps)
    out = tmp_path / "saved.npz"
    summary = results.score_path(tmp_path / "maps.npy", n_shuffles=2, save_ratemaps=out)
    assert summary["n_units"] == 4 and summary["fraction_grid_like"] == 1.0
    assert "shuffle_threshold" in summary and summary["n_shuffles"] == 2
    json.dumps(summary)
    again = binning.load_ratemaps(out)
    np.testing.assert_array_equal(again, maps)
    assert results.score_path(out, n_shuffles=0)["n_units"] == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"not numpy", "not a ratemap array"), (np.zeros(5), "(units, n, n)")],
)
def test_bad_ratemap_files_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "maps.npy"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        np.save(path, content)
    with pytest.raises(GridcoreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        results.score_path(path)
    with pytest.raises(GridcoreError, match="no such file or run directory"):
        results.score_path(tmp_path / "nowhere")


def test_score_path_on_a_run_scores_its_bottleneck(tiny_run, tmp_path):
    summary = results.score_path(
        tiny_run, nbins=8, n_trajectories=10, n_shuffles=0, save_ratemaps=tmp_path / "m"
    )
    assert summary["source"] == "run at step 30" and summary["n_units"] == 32
    assert "shuffle_threshold" not in summary
    want = bottleneck_ratemaps(runs.load_network(tiny_run), n_trajectories=10, nbins=8)
    np.testing.assert_array_equal(binning.load_ratemaps(tmp_path / "m.npz"), want)
    dm = S.score_ratemaps(want, mode="deepmind")
    assert summary["deepmind_fraction_above_0.37"] == dm.fraction(0.37)
    with pytest.raises(GridcoreError, match="no such directory"):
        results.score_path(tiny_run, n_trajectories=2, save_ratemaps=tmp_path / "no" / "m")


# --------------------------------------------------------------------------------------------
# A trained network and its scores


def test_score_network_scores_both_modes_on_the_evaluation_seed(tiny_run):
    net = runs.load_network(tiny_run)
    scored = results.score_network(net, n_trajectories=8, nbins=8, seed=1, n_shuffles=2)
    assert scored.nbins == 8 and scored.maps.shape == (32, 8, 8)
    assert (scored.n_trajectories, scored.seed) == (8, 1)
    want = bottleneck_ratemaps(net, 8, 8, seed=EVAL_SEED + 1)
    np.testing.assert_array_equal(scored.maps, want)
    assert set(scored.scores) == set(scored.nulls) == {"deepmind", "gridcore"}
    for mode, res in scored.scores.items():
        np.testing.assert_array_equal(
            res.grid_score_60, S.score_ratemaps(want, mode=mode).grid_score_60
        )
        assert scored.nulls[mode].scores.shape == (32, 2)
    assert results.score_network(net, 8, 8, n_shuffles=0).nulls == {}


# --------------------------------------------------------------------------------------------
# Emergence


def test_emergence_curve_scores_snapshots(tiny_run):
    assert [s for s, _ in runs.list_snapshots(tiny_run)] == [10, 20, 30]
    em = results.emergence_curve(tiny_run, n_trajectories=10, nbins=8)
    np.testing.assert_array_equal(em.steps, [0, 10, 20, 30])
    assert set(em.fractions) == {(m, t) for m in ("deepmind", "gridcore") for t in (0.37, 0.8)}
    for f in em.fractions.values():
        assert f.shape == (4,) and np.all((f >= 0) & (f <= 1))
    np.testing.assert_array_equal(em.history_steps, [10, 20, 30])
    assert em.position_error_cm.shape == (3,)
    assert em.first_step_above(2.0) is None
    # A scale wherever a snapshot has grid-like units (gridcore's scorer), NaN elsewhere.
    has_grid = em.fraction("gridcore") > 0
    assert em.median_scale_m.shape == (4,)
    assert np.all(np.isfinite(em.median_scale_m) == has_grid)
    assert np.all(em.median_scale_m[has_grid] > 0)
    # Scale clusters (BIC) where at least two grid-like units have a scale, 0 elsewhere.
    assert em.scale_clusters.shape == (4,) and em.scale_clusters.dtype.kind == "i"
    assert np.all((em.scale_clusters == 0) | has_grid) and np.all(em.scale_clusters <= 4)
    sparse = results.emergence_curve(tiny_run, n_trajectories=10, nbins=8, every=2)
    np.testing.assert_array_equal(sparse.steps, [0, 10, 30])  # the final weights always count


def test_emergence_starts_from_the_network_training_started_from(tiny_run):
    """Step 0 scores the weights that train() drew for this run before its first step."""
    model, ensembles, cfg, _ = runs.load_run(tiny_run)
    torch.manual_seed(cfg.seed)
    start, _ = build(cfg)
    maps = bottleneck_ratemaps(runs.Network(start, ensembles, cfg), 10, 8)
    em = results.emergence_curve(tiny_run, n_trajectories=10, nbins=8, thresholds=(-1.0,))
    dm = S.score_ratemaps(maps, mode="deepmind")
    assert em.max_score[0] == pytest.approx(np.nanmax(dm.grid_score_60))
    assert em.fraction("deepmind", -1.0)[0] == dm.fraction(-1.0)


def test_change_phrase_says_no_change_when_it_rounds_to_zero():
    assert results.change_phrase(0.0004) == "does not change (to three decimals)"
    assert results.change_phrase(-0.0001) == "does not change (to three decimals)"
    assert results.change_phrase(0.0123) == "falls by 0.012"
    assert results.change_phrase(-0.004) == "rises by 0.004"


def test_grid_share_text_says_when_the_run_ends_below_the_paper():
    rows = [
        {"step": 1000, "elapsed_s": 10.0, "grid_fraction_037": 0.10},
        {"step": 2000, "elapsed_s": 20.0, "grid_fraction_037": 0.254},
        {"step": 3000, "elapsed_s": 30.0, "grid_fraction_037": 0.242},
    ]
    text = results.grid_share_text(rows, 0.252, 0.37)
    assert text.startswith("At the last scoring 24.2 % of the bottleneck units")
    assert "highest share during the run was 25.4 %, at step 2,000" in text
    assert "first reached the paper's share at step 2,000" in text
    assert "ended a little below it" in text
    low = results.grid_share_text(rows[:1], 0.252, 0.37)
    assert low.endswith("The share stayed below the paper's throughout this run.")
