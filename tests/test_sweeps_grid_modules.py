"""gridcore.sweeps.grid_modules: modules counted per network of a sweep, and the target."""

import json
import re

import numpy as np
import pytest

from gridcore.errors import GridcoreError
from gridcore.sweeps.grid_modules import (
    ModuleTarget,
    holding_modules,
    module_summary,
    module_table,
    modules_answer,
    modules_answers,
    modules_conclusion,
    slice_answer,
    unit_slices,
)
from gridcore.sweeps.spec import STATUS_FILE, load_spec

SPEC = """
preset: tiny
set: {place_ensembles: 2, n_bottleneck: 32}
cases:
  sliced: {place_readout: sliced}
  shared: {place_readout: shared}
seeds: 3
"""


def _write(sweep, trial, units, scales, grid=0.25, error=30.0, status="done"):
    record = {
        "trial": trial.name,
        "condition": trial.condition,
        "seed": trial.seed,
        "status": status,
        "grid_fraction_037": grid,
        "position_error_cm": error,
        "grid_units": list(units),
        "grid_scales_m": list(scales),
    }
    trial.run_dir.mkdir(parents=True, exist_ok=True)
    (trial.run_dir / STATUS_FILE).write_text(json.dumps(record))


@pytest.fixture
def sweep(tmp_path):
    """Sliced trials with two tight scale clusters (0.6 m in slice 0, 0.87 m in slice 1), shared
    ones with one broad spread; the last shared seed unfinished."""
    (tmp_path / "spec.yaml").write_text(SPEC)
    trials = load_spec(tmp_path / "spec.yaml").trials(tmp_path)
    for trial in trials:
        rng = np.random.default_rng(trial.seed)
        if trial.condition == "sliced":
            units = list(range(0, 12)) + list(range(16, 28))
            scales = np.r_[rng.normal(0.60, 0.015, 12), rng.normal(0.87, 0.02, 12)]
            _write(tmp_path, trial, units, scales, grid=0.24 + 0.01 * trial.seed, error=40.0)
        else:
            status = "running" if trial.seed == 2 else "done"
            scales = rng.normal(0.75, 0.08, 24)
            _write(tmp_path, trial, range(24), scales, grid=0.10, error=35.0, status=status)
    return tmp_path


def test_each_finished_trial_has_its_modules_and_slices(sweep):
    table = module_table(sweep, n_null=30)
    assert list(table["condition"]) == ["sliced"] * 3 + ["shared"] * 2  # unfinished left out
    assert (table["place_sigma_m"] == 0.01).all()  # the tiny preset's width
    sliced = table[table["condition"] == "sliced"]
    assert (sliced["modules"] == 2).all() and sliced["has_modules"].all()
    assert (sliced["p_value"] <= 0.05).all()
    for ratio, slices in zip(sliced["ratios"], sliced["slice_scales_m"], strict=True):
        assert ratio[0] == pytest.approx(0.87 / 0.60, rel=0.05)
        assert slices[0] == pytest.approx(0.60, abs=0.02) and slices[1] == pytest.approx(
            0.87, abs=0.03
        )
    shared = table[table["condition"] == "shared"]
    assert not shared["has_modules"].any()
    assert all(len(s) == 1 for s in shared["slice_scales_m"])  # a shared read-out: one slice


def test_ratios_outside_the_paper_range_are_not_modules(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC)
    trial = load_spec(tmp_path / "spec.yaml").trials(tmp_path)[0]
    rng = np.random.default_rng(0)
    wide = np.r_[rng.normal(0.4, 0.01, 12), rng.normal(1.2, 0.02, 12)]  # ratio 3
    _write(tmp_path, trial, range(24), wide)
    row = module_table(tmp_path, n_null=20).iloc[0]
    assert row["modules"] == 2 and row["p_value"] <= 0.05 and not row["has_modules"]


def test_too_few_units_give_no_modules(tmp_path):
    (tmp_path / "spec.yaml").write_text(SPEC)
    trial = load_spec(tmp_path / "spec.yaml").trials(tmp_path)[0]
    _write(tmp_path, trial, [1, 2, 20], [0.6, 0.61, 0.9])
    row = module_table(tmp_path).iloc[0]
    assert row["grid_units"] == 3 and row["modules"] == 0 and not row["has_modules"]
    assert np.isnan(row["p_value"])


def test_summary_and_answer_judge_the_target(sweep):
    table = module_table(sweep, n_null=30)
    target = ModuleTarget(max_error_cm=50.0)
    summary = module_summary(table, target)
    assert summary.loc["sliced", "seeds with modules"] == 3
    assert summary.loc["sliced", "meets target"]  # 25 % grid, 40 cm <= 50 cm
    assert summary.loc["shared", "seeds"] == 2 and not summary.loc["shared", "meets target"]
    text = modules_answer(summary, "sliced", target)
    assert text.startswith("Yes: 3 of 3 seeds") and "25.0 %" in text
    assert "too few grid-like units" in modules_answer(summary, "shared", target)
    strict = module_summary(table, ModuleTarget(max_error_cm=30.0))
    assert list(strict["position error limit (cm)"]) == [30.0, 30.0]
    assert not strict.loc["sliced", "meets target"]
    answer = modules_answer(strict, "sliced", ModuleTarget(30.0))
    assert "too large a position error" in answer and "learnt the task is within 30 cm" in answer
    assert "target" not in text
    assert modules_answer(summary, "absent", target).startswith("Cannot tell yet")
    both = modules_answers(summary, target)
    assert both.startswith("`sliced`: Yes: ") and "`shared`: No (" in both
    assert holding_modules(summary) == "`sliced` holds modules; `shared` does not."
    assert holding_modules(strict) == "None of `sliced` and `shared` holds modules."
    end = modules_conclusion(summary, False, "seed 0 of `sliced`")
    assert end.startswith("The split read-out is built for two scales. Counting only")
    assert (
        "(a median position error of at most 50 cm), only sliced 8 + 14 cm (3 of 3 seeds) holds"
        in end
    )
    assert "; the shared control holds them in 0 of 2 seeds" in end
    assert end.endswith("seed 0 of `sliced`, the two clusters do not map onto the halves.")
    assert "no split setting" in modules_conclusion(strict, True, "x")


def test_slice_answer_says_whether_each_cluster_keeps_to_its_half():
    from gridcore.scoring.scale_modules import cluster_scales

    rng = np.random.default_rng(0)
    scales = np.r_[rng.normal(0.60, 0.015, 12), rng.normal(0.87, 0.02, 12)]
    clean = np.r_[np.zeros(12, int), np.ones(12, int)]
    names = ("the narrow half", "the wide half")
    text = slice_answer(clean, cluster_scales(scales), names)
    assert text.startswith("Yes: the cluster at 0.60 m holds 12 units of the narrow half and 0 ")
    assert "The halves' median scales are 0.60 and 0.86 m, a ratio of 1.44." in text
    mixed = slice_answer(np.arange(24) % 2, cluster_scales(scales), names)
    assert mixed.startswith("No, not cleanly: ")
    one = slice_answer(clean, cluster_scales(rng.normal(0.7, 0.01, 24)), names)
    assert one.startswith("No: the 24 units' scales form one cluster")


def test_unit_slices_follow_the_read_out(sweep):
    sliced, shared = load_spec(sweep / "spec.yaml").trials(sweep)[0:4:3]
    assert list(unit_slices(np.array([0, 15, 16, 31]), sliced)) == [0, 0, 1, 1]
    assert list(unit_slices(np.array([0, 31]), shared)) == [0, 0]


def test_a_directory_without_a_spec_is_refused(tmp_path):
    with pytest.raises(GridcoreError, match="no spec.yaml"):
        module_table(tmp_path)


def test_the_module_figure_draws_every_unit_and_module(sweep):
    from gridcore.plots import plot_module_scales

    table = module_table(sweep, n_null=20)
    ax = plot_module_scales(table, slice_labels=["8 cm", "14 cm"])
    dots = sum(len(c.get_offsets()) for c in ax.collections)
    assert dots == sum(len(s) for s in table["unit_scales_m"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["8 cm", "14 cm", "has modules", "shared read-out"]
    assert len(ax.get_xticks()) == len(table)


def test_the_reading_table_writes_percentages_and_ranges(sweep):
    from gridcore.sweeps.grid_modules import summary_for_reading

    summary = module_summary(module_table(sweep, n_null=20), ModuleTarget(50.0))
    shown = summary_for_reading(summary)
    assert list(shown.columns) == ["sliced", "shared"]
    assert shown.loc["grid-like, median (range)", "sliced"] == "25.0 % (24.0–26.0 %)"
    assert shown.loc["seeds with modules", "shared"] == "0 of 2"
    error = shown.loc["position error, median (range)", "sliced"]  # whole cm, median and range
    assert re.fullmatch(r"\d+ cm \(\d+–\d+ cm\)", error), error
    assert shown.loc["module ratio, median", "shared"] == "–"
    assert shown.loc["holds modules", "sliced"] == "yes"
    assert shown.loc["error of a network that learnt", "sliced"] == "at most 50 cm"


def test_rescored_units_replace_the_trials_own_scoring(sweep):
    from gridcore.sweeps.grid_modules import UNIT_SCALES_FILE

    first = load_spec(sweep / "spec.yaml").trials(sweep)[0]
    rows = ["trial,unit,scale_m,grid_fraction_037,trajectories"]
    rows += [f"{first.name},{u},{0.5 + 0.01 * u},0.3,5000" for u in range(8)]
    (sweep / UNIT_SCALES_FILE).write_text("\n".join(rows) + "\n")
    table = module_table(sweep, n_null=20)
    row = table.iloc[0]
    assert row["trajectories"] == 5000 and row["grid_fraction_037"] != 0.3  # the sweep's own
    assert row["grid_units"] == 8 and row["unit_scales_m"][0] == pytest.approx(0.5)
    # the others: their own final scoring, on the config's score_trajectories
    assert (table["trajectories"].iloc[1:] == first.cfg.score_trajectories).all()


def test_unit_scales_are_scored_from_each_saved_network(sweep):
    from dataclasses import replace

    from gridcore.sweeps.grid_modules import score_unit_scales
    from gridcore.training.train import train

    first = load_spec(sweep / "spec.yaml").trials(sweep)[0]
    train(replace(first.cfg, steps=2, log_every=1), first.run_dir, progress=False)
    scored = score_unit_scales(sweep, n_trajectories=20)
    assert set(scored["trial"]) == {first.name}  # only trials with saved weights
    assert (scored["trajectories"] == 20).all() and scored["grid_fraction_037"].nunique() == 1
    units = scored["unit"]
    assert ((units >= 0) & (units < 32)).all() or list(units) == [-1]
    assert scored.loc[units >= 0, "scale_m"].gt(0).all()
