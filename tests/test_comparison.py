"""The shipped networks beside the paper: the table's columns say what was measured."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from gridcore.analysis import comparison
from gridcore.analysis.comparison import QUANTITIES, Measured, measure, paper_table, seeds_column
from gridcore.analysis.results import score_network
from gridcore.scoring.scale_modules import cluster_scales

ERRORS = {
    "position_error_15s_cm": 20.4,
    "untrained_error_15s_cm": 99.6,
    "real_path_error_15s_cm": float("nan"),
    "untrained_real_path_error_15s_cm": float("nan"),
}


def _measured(scales_m, grid_fraction=0.3) -> Measured:
    scales = np.asarray(scales_m, dtype=float)
    clusters = cluster_scales(scales) if scales.size >= 2 else None
    return Measured("net", 0.163, 8000, grid_fraction, scales, clusters, ERRORS)


def test_the_paper_column_holds_the_papers_figures():
    col = dict(zip(QUANTITIES, comparison.paper_column(), strict=True))
    assert col["grid-like units, > 0.37 (%)"] == "25.2"
    assert col["grid scales, range (cm)"] == "28–115"
    assert col["scale modules (centres, cm)"] == "3: 47, 70, 106"
    assert col["ratio of neighbouring modules"] == "1.49, 1.51"
    assert col["15 s error, own rat (cm)"] == "16 / 91"
    assert col["training steps"] == "300,000"


def test_two_separate_scale_groups_show_as_two_modules_and_their_ratio():
    rng = np.random.default_rng(0)
    scales = np.concatenate(
        [0.5 + 0.01 * rng.standard_normal(30), 0.75 + 0.01 * rng.standard_normal(30)]
    )
    table = paper_table([_measured(scales)])
    col = table["net"]
    assert col["scale modules (centres, cm)"] == "2: 50, 75"
    assert float(col["ratio of neighbouring modules"]) == pytest.approx(1.5, abs=0.03)
    assert col["grid-like units, > 0.37 (%)"] == "30.0"
    low, high = (float(v) for v in col["grid scales, 10th–90th percentile (cm)"].split("–"))
    assert 45 < low < high < 80
    assert col["15 s error, own rat (cm)"] == "20 / 100"
    # No recorded rat (ratinabox missing): the row says so rather than printing NaN.
    assert col["15 s error, recorded rat (cm)"] == comparison.NOT_REPORTED
    assert list(table.columns) == ["paper", "net"]


def test_a_network_without_grid_units_has_no_scales_to_report():
    col = paper_table([_measured([])])["net"]
    assert col["median grid scale (cm)"] == comparison.NOT_REPORTED
    assert col["scale modules (centres, cm)"] == comparison.NOT_REPORTED


def _sweep_table() -> pd.DataFrame:
    rows = []
    for seed, (frac, scale) in enumerate([(0.20, 1.0), (0.25, 1.2), (0.30, 0.9), (0.9, 0.1)]):
        rows.append(
            {
                "condition": "a" if seed < 3 else "b",
                "status": "done",
                "step": 8000,
                "grid_fraction_037": frac,
                "median_scale_m": scale,
                "position_error_15s_cm": 10.0 * (seed + 1),
                "untrained_error_15s_cm": 100.0,
                "real_path_error_15s_cm": math.nan,
                "untrained_real_path_error_15s_cm": math.nan,
            }
        )
    return pd.DataFrame(rows)


def test_a_sweep_condition_gives_medians_and_ranges_over_its_seeds_only():
    col = dict(zip(QUANTITIES, seeds_column(_sweep_table(), "a"), strict=True))
    assert col["grid-like units, > 0.37 (%)"] == "25.0 (20.0–30.0)"
    assert col["median grid scale (cm)"] == "100 (90–120)"
    assert col["15 s error, own rat (cm)"] == "20 (10–30) / 100 (100–100)"
    assert col["15 s error, recorded rat (cm)"].startswith("–")
    with pytest.raises(ValueError, match="no finished trials"):
        seeds_column(_sweep_table(), "missing")


def test_measure_scores_a_real_network(tiny_network):
    scored = score_network(tiny_network, n_trajectories=40, nbins=10, n_shuffles=0)
    m = measure(scored, "tiny", n_paths=4)
    assert m.steps == 0 and m.mean_speed_m_s == pytest.approx(tiny_network.motion.mean_speed)
    assert 0.0 <= m.grid_fraction <= 1.0
    assert m.errors_cm["untrained_error_15s_cm"] > 0
    assert QUANTITIES[0] in paper_table([m]).index


def test_a_sweep_directory_gives_one_labelled_column_of_its_finished_seeds(tmp_path):
    table = _sweep_table()
    table.loc[0, "status"] = "diverged"
    table.to_csv(tmp_path / "results.csv", index=False)
    columns = comparison.sweep_column(tmp_path, "a")
    assert list(columns) == ["a: 2 seeds"]
    assert columns["a: 2 seeds"] == seeds_column(table, "a")


# --- the scales, their clusters and how each network was trained, in words ---------------------

LEFTOVERS = ("(s)", "nan", " 1 units", " 1 components", " 1 clusters", "()", " ,")


def test_clusters_read_in_the_right_number():
    assert comparison.clusters_phrase(0) == "no clusters of scales"
    assert comparison.clusters_phrase(1) == "a single cluster of scales"
    assert comparison.clusters_phrase(3) == "3 clusters of scales"


def test_the_modules_sentence_says_one_cluster_or_several_with_their_ratios():
    one = comparison.modules_sentence(cluster_scales(np.linspace(1.2, 1.4, 40)))
    assert one.startswith("The mixture that BIC prefers has a single component, centred at 13")
    assert one.endswith("the scales form one cluster, not modules.")
    rng = np.random.default_rng(0)
    scales = np.concatenate(
        [0.5 + 0.01 * rng.standard_normal(30), 0.75 + 0.01 * rng.standard_normal(30)]
    )
    two = comparison.modules_sentence(cluster_scales(scales))
    assert two.startswith("The mixture that BIC prefers has 2 components, centred at 50 and 75")
    assert "a ratio of 1.5" in two
    none = comparison.modules_sentence(None)
    assert none.startswith("Fewer than 2 grid-like units have a scale")
    for text in (one, two, none):
        assert not any(bad in text for bad in LEFTOVERS), text


def test_the_scales_sentence_has_no_range_without_scales():
    assert comparison.scales_sentence(np.array([0.55, 1.78, 1.34]), 79) == (
        "3 of the 79 grid-like units have a measurable scale, from 55 to 178 cm (median 134 cm)."
    )
    assert comparison.scales_sentence(np.array([]), 4) == (
        "None of the 4 grid-like units has a measurable scale."
    )
    assert comparison.scales_sentence(np.array([]), 1) == (
        "The only grid-like unit has no measurable scale."
    )
    assert comparison.scales_sentence(np.array([0.6]), 1) == (
        "The only grid-like unit has a measurable scale, 60 cm."
    )
    assert comparison.scales_sentence(np.array([0.6]), 5) == (
        "1 of the 5 grid-like units has a measurable scale, 60 cm."
    )
    assert comparison.scales_sentence([], 0).startswith("No unit is grid-like")
    for text in (comparison.scales_sentence(np.array([]), 0), comparison.scales_sentence([], 5)):
        assert not any(bad in text for bad in LEFTOVERS), text


def _trained(tmp_path, name, cfg, step, elapsed=None):
    from dataclasses import replace

    from gridcore.net.runs import Network

    run = tmp_path / name
    run.mkdir()
    if elapsed is not None:
        pd.DataFrame({"step": [step // 2, step], "elapsed_s": [1.0, elapsed]}).to_csv(
            run / "history.csv", index=False
        )
    net = replace(Network(None, None, cfg), step=step, run_dir=run)
    return net


def test_the_training_table_gives_each_network_its_preset_and_changed_settings(tmp_path):
    from dataclasses import replace

    from gridcore.net.config import get_preset
    from gridcore.world.trajectories import get_motion

    fast = replace(get_preset("fast"), ensemble_rng="shared", log_every=7, snapshot_every=3)
    quick = replace(
        get_preset("quick", seed=2),
        steps=20000,
        lr_horizon=20000,
        motion="paper",
        use_hd=False,
        eps=1e-14,
        place_sigma_ratio=2.3333333,
    )
    nets = {
        "a": _trained(tmp_path, "a", fast, 20000, elapsed=672.0),
        "b": _trained(tmp_path, "b", quick, 20000),
        "c": _trained(tmp_path, "c", get_preset("tiny"), 50, elapsed=6.0),
    }
    table = comparison.training_table(nets)
    assert list(table.index) == ["a", "b", "c"]
    assert list(table["preset"]) == ["fast", "quick", "tiny"]
    a, b, c = (table.loc[k] for k in "abc")
    # Logging, checkpoints and scoring leave the weights as they are: not listed.
    assert a["settings changed from the preset"] == (
        "place and head-direction centres drawn from: one random stream for both"
    )
    assert a["steps"] == "20,000" and a["training time (min)"] == "11.2" and a["seed"] == 0
    # The schedule's horizon equal to the steps is implied; the settings read in words, and
    # the command keeps every digit.
    speed = get_motion("paper").mean_speed
    assert set(b["settings changed from the preset"].split("; ")) == {
        f"the rat: the paper's (mean speed set to {speed:.2f} m/s)",
        "head-direction cells: none",
        "RMSProp's epsilon: 1e-14",
    }  # one ensemble: its width ratio does not apply, and is left out
    assert b["seed"] == 2 and b["training time (min)"] == comparison.NOT_REPORTED
    assert c["settings changed from the preset"] == "none"
    command = comparison.training_command(nets["b"], out="runs/b")
    assert command.startswith("python -m gridcore train --preset quick --seed 2 --steps 20000 ")
    assert "--set eps=1e-14" in command and "--set use_hd=false" in command
    assert "--set place_sigma_ratio=2.3333333" in command
    assert "lr_horizon" not in command and command.endswith("--out runs/b")
    assert comparison.training_command(nets["a"]) == (
        "python -m gridcore train --preset fast --seed 0 --steps 20000 --set ensemble_rng=shared"
    )


def test_the_training_command_parses_back_to_the_same_config(tmp_path):
    from dataclasses import replace

    from gridcore.cli import _requested_config, build_parser
    from gridcore.net.config import get_preset

    cfg = replace(
        get_preset("quick"), steps=300, motion="paper", use_hd=False, place_sigma_ratio=2.3333333
    )
    net = _trained(tmp_path, "x", cfg, 300)
    args = build_parser().parse_args(comparison.training_command(net, out="x").split()[3:])
    assert _requested_config(args).planned().differences(cfg.planned()) == []


def test_the_median_scale_is_set_against_the_papers_range():
    assert comparison.scale_range_phrase(np.array([0.55, 1.34, 1.78])) == (
        "The median grid scale, 134 cm, lies above the paper's range of 28 to 115 cm "
        "(ours run from 55 to 178 cm)"
    )
    assert " inside " in comparison.scale_range_phrase(np.array([0.5, 0.6]))
    assert " below " in comparison.scale_range_phrase(np.array([0.2]))
    assert "(ours" not in comparison.scale_range_phrase(np.array([0.2]))
    assert comparison.scale_range_phrase(np.array([])).startswith("No grid-like unit has")


def test_the_geometry_sentence_fits_the_number_of_units():
    two = comparison.geometry_sentence(
        79, np.array([55.0, 134.0, 178.0]), np.array([1.2, 1.3, 1.2])
    )
    assert two == (
        "Of the 79 units gridcore calls grid-like, 3 have six peaks inside the SAC's radius. "
        "Their scales run from 55 to 178 cm (median 134 cm) and their hexagons are stretched, "
        "with a median ellipticity of 1.20 (1 is a regular hexagon)."
    )
    one = comparison.geometry_sentence(1, np.array([60.0]), np.array([1.05]))
    assert one.startswith("Of the one unit gridcore calls grid-like, one has six peaks")
    assert "close to regular" in one
    none = comparison.geometry_sentence(4, np.array([]), np.array([]))
    assert none.startswith("None of the 4 units gridcore calls grid-like has all six peaks")
    zero = comparison.geometry_sentence(0, np.array([]), np.array([]))
    assert zero.startswith("gridcore calls no unit grid-like")
    for text in (two, one, none, zero):
        assert not any(bad in text for bad in LEFTOVERS), text


def test_the_degenerate_sentence_omits_what_is_empty():
    clean = np.array([""] * 256)
    assert comparison.degenerate_sentence(clean, 0) == (
        "In the network examined here, none of the 256 units is flagged."
    )
    some = np.array(["ramp", "", "dead", "ramp"] + [""] * 252)
    text = comparison.degenerate_sentence(some, 2)
    assert text == (
        "In the network examined here, 3 of the 256 units are flagged (ramp: 2, dead: 1); 2 of "
        "them score above 0.37 with DeepMind's scorer and would count as grid cells there."
    )
    assert "none of them scores above 0.37" in comparison.degenerate_sentence(some, 0)
    assert "1 of them scores above 0.37" in comparison.degenerate_sentence(some, 1)
    one = comparison.degenerate_sentence(np.array(["dead", "", ""]), 0)
    assert one.startswith("In the network examined here, 1 of the 3 units is flagged (dead: 1)")
    assert one.endswith("it does not score above 0.37 with DeepMind's scorer either.")
    for text in (one, comparison.degenerate_sentence(clean, 0)):
        assert not any(bad in text for bad in (*LEFTOVERS, " 0 ", "flagged: .")), text
