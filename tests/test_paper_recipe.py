"""The paper's recipe over seeds beside the paper and the reproductions."""

from pathlib import Path

import numpy as np
import pandas as pd

from gridcore.analysis.paper_recipe import (
    ARTICLE,
    CITATIONS,
    over_seeds,
    port_column,
    ports_sentence,
    recipe_table,
    steps_per_second,
)
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
    assert table.loc["grid-like units, DeepMind's scorer (%)", ARTICLE] == "25.2"
    port = next(iter(PORTS))
    assert table.loc["error after 15 s (cm)", port_column(port)] == "19.1"
    assert "/" not in "".join(table.columns)  # reproductions by number, not by repository
    assert table.loc["median grid scale (m)", "gridcore"] == "1.20 (1.10–1.30), 2 seeds"


def test_each_reproduction_is_named_once_by_its_citation():
    sentence = ports_sentence()
    bib = (Path(__file__).resolve().parent.parent / "references.bib").read_text()
    for i, name in enumerate(PORTS, 1):
        key = CITATIONS[name]
        assert f"reproduction {i} is {{cite:t}}`{key}`" in sentence
        assert f"{{{key}," in bib and f"https://github.com/{name}" in bib
        assert port_column(name).startswith(f"reproduction {i} (")


def test_the_many_seeds_chapter_cites_each_reproduction_in_its_own_markdown():
    # A citation inside glued Markdown is not resolved, so the chapter carries the sentence.
    import nbformat

    chapter = Path(__file__).resolve().parent.parent / "book" / "10_many_seeds.ipynb"
    cells = nbformat.read(chapter, as_version=4).cells
    assert any(ports_sentence() in c.source for c in cells if c.cell_type == "markdown")


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


def _history(steps: dict) -> pd.DataFrame:
    """A history of trials, each logged every 1000 steps (10 s each) up to its last step."""
    return pd.DataFrame(
        [
            {
                "trial": t,
                "step": s,
                "place_loss": 5.0,
                "grid_fraction_037": 0.1,
                "elapsed_s": s / 100,
            }
            for t, last in steps.items()
            for s in range(1000, last + 1, 1000)
        ],
        columns=["trial", "step", "place_loss", "grid_fraction_037", "elapsed_s"],
    )


def test_the_progress_sentence_says_how_far_and_what_can_be_said():
    from gridcore.analysis.paper_recipe import progress_sentence

    none = progress_sentence(_history({}), 4, 300_000)
    assert none == "None of the four seeds has been scored yet, so nothing can be said yet."
    partway = progress_sentence(_history({"a": 5000, "b": 5000}), 4, 300_000)
    assert partway.startswith(
        "Two of the four seeds have been scored up to step 5,000 of 300,000 and the other two "
        "have not been scored yet, so the curves show"
    )
    assert "is not known yet." in partway
    apart = progress_sentence(_history({"a": 3000, "b": 5000, "c": 4000, "d": 4000}), 4, 9000)
    assert apart.startswith("All four seeds have been scored up to steps 3,000 to 5,000 of 9,000")
    some = progress_sentence(_history({"a": 9000, "b": 4000}), 4, 9000)
    assert some.startswith("One of the four seeds has reached step 9,000 and the other three")
    assert "the finished seed gives a first look" in some
    history = _history({k: 9000 for k in "abcd"})
    history.loc[history.step == 9000, "grid_fraction_037"] = [0.3, 0.1, 0.2, 0.25]
    done = progress_sentence(history, 4, 9000)
    assert done.startswith("All four seeds have reached step 9,000, so the recipe's result")
    assert "the median seed, `c`, is the network kept." in done


def test_the_training_note_and_the_sentence_read_the_same_scorings():
    from gridcore.analysis.paper_recipe import finished, progress_sentence, training_note

    history = _history({"a": 5000, "b": 3000})
    history.loc[(history.trial == "a") & (history.step == 5000), "grid_fraction_037"] = np.nan
    note = training_note(history, 4, 9000)
    assert note == (
        "in training: 0 of 4 seeds at step 9,000; the others last scored at steps 3,000 and "
        "4,000; 2 not started"
    )
    assert "steps 3,000 to 4,000 of 9,000" in progress_sentence(history, 4, 9000)
    assert training_note(_history({}), 4, 9000) == "in training: no seed scored yet, of 9,000 steps"
    one_left = training_note(_history({"a": 9000, "b": 9000, "c": 5000}), 3, 9000)
    assert (
        one_left == "in training: 2 of 3 seeds at step 9,000; the other last scored at step 5,000"
    )
    assert not finished(history, 2, 9000)
    assert finished(_history({"a": 9000, "b": 9000}), 2, 9000)


def test_seed_hours_from_the_median_pace():
    from gridcore.analysis.paper_recipe import seed_hours

    assert seed_hours(_history({"a": 5000, "b": 3000}), 360_000) == 1.0  # 100 steps a second
    assert np.isnan(seed_hours(_history({}), 360_000))


def test_the_median_seed_is_the_lower_of_the_middle_two():
    from gridcore.analysis.paper_recipe import median_seed

    shares = pd.Series({"s0": 0.30, "s1": 0.10, "s2": 0.20, "s3": 0.25})
    assert median_seed(shares) == "s2"
    assert median_seed(shares.drop("s3")) == "s2"


def test_scored_at_gives_the_seeds_scored_at_a_step_as_finished_rows():
    from gridcore.analysis.paper_recipe import recipe_table, scored_at

    history = pd.DataFrame(
        {
            "trial": ["s0", "s0", "s1", "s1", "s2"],
            "step": [100, 200, 100, 200, 100],
            "place_loss": 1.0,
            "grid_fraction_037": [0.1, 0.15, np.nan, 0.2, 0.3],
            "elapsed_s": 1.0,
        }
    )
    rows = scored_at(history, 200)
    assert list(rows.trial) == ["s0", "s1"] and set(rows.status) == {"done"}
    table = recipe_table(rows, step=200).set_index("measure")
    assert table.loc["grid-like units, DeepMind's scorer (%)", "gridcore"].startswith(
        "17.5 (15.0–20.0)"
    )
