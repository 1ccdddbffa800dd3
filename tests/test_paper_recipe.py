"""The paper's recipe over seeds beside the paper and the reproductions."""

import numpy as np
import pandas as pd

from gridcore.analysis.paper_recipe import over_seeds, recipe_table, steps_per_second
from gridcore.paper import PORTS


def test_over_seeds_gives_median_range_and_count():
    assert over_seeds(np.array([1.0, 3.0, 2.0, np.nan])) == "2.0 (1.0–3.0), 3 seeds"
    assert over_seeds(np.array([np.nan])) == "–"


def test_recipe_table_sets_our_seeds_beside_the_paper_and_the_ports():
    results = pd.DataFrame(
        {
            "status": ["done", "done", "running"],
            "step": [300000, 300000, 150000],
            "grid_fraction_037": [0.2, 0.1, 0.9],
            "grid_fraction_037_gridcore": [0.15, 0.05, 0.9],
            "position_error_15s_cm": [20.0, 30.0, 1.0],
            "untrained_error_15s_cm": [120.0, 125.0, 1.0],
            "median_scale_m": [1.1, 1.3, 9.0],
        }
    )
    table = recipe_table(results).set_index("measure")
    assert (
        table.loc["grid-like units, DeepMind's scorer (%)", "gridcore"]
        == "15.0 (10.0–20.0), 2 seeds"
    )
    assert table.loc["grid-like units, DeepMind's scorer (%)", "paper"] == "25.2"
    port = next(iter(PORTS))
    assert table.loc["error after 15 s (cm)", port] == "19.1"
    assert table.loc["median grid scale (m)", "gridcore"] == "1.20 (1.10–1.30), 2 seeds"


def test_steps_per_second_from_a_history():
    history = pd.DataFrame({"step": [1000, 2000, 3000], "elapsed_s": [10.0, 30.0, 50.0]})
    assert steps_per_second(history) == 50.0


def test_histories_and_progress_read_each_trials_log(tmp_path):
    from gridcore.analysis.paper_recipe import histories, progress

    for name, frac in (("a", 0.1), ("b", 0.3)):
        d = tmp_path / "trials" / name
        d.mkdir(parents=True)
        pd.DataFrame(
            {
                "step": [1000, 2000],
                "place_loss": [5.5, 5.0],
                "grid_fraction_037": [float("nan"), frac],
                "elapsed_s": [10.0, 20.0],
            }
        ).to_csv(d / "history.csv", index=False)
    h = histories(tmp_path)
    assert len(h) == 4 and set(h.trial) == {"a", "b"}
    p = progress(tmp_path)
    assert p.step.tolist() == [2000, 2000] and p.grid_fraction_037.tolist() == [0.1, 0.3]
    assert histories(tmp_path / "none").empty


def test_the_progress_sentence_says_how_far_and_how_fast(tmp_path):
    from gridcore.analysis.paper_recipe import progress_sentence

    assert progress_sentence(tmp_path, 4, 300_000) == "None of the 4 seeds has started yet."
    d = tmp_path / "trials" / "a"
    d.mkdir(parents=True)
    pd.DataFrame(
        {"step": [1000, 2000], "place_loss": [5.5, 5.0], "grid_fraction_037": [0.1, 0.2],
         "elapsed_s": [100.0, 200.0]}
    ).to_csv(d / "history.csv", index=False)  # fmt: skip
    text = progress_sentence(tmp_path, 4, 300_000)
    assert (
        text.startswith("1 of the 4 seeds has started and has reached step 2,000")
        and "10.0 steps a second" in text
    )
    assert "about 8 hours" in text
