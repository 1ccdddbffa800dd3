"""gridcore.headline: the ten-seed headline and the paper's claims, from the shipped tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gridcore import headline, paper, shipped
from gridcore.cli import main
from gridcore.errors import GridcoreError

ROOT = Path(__file__).resolve().parents[1]


def test_presets_are_the_median_of_each_sweeps_finished_seeds_at_its_last_step():
    p = headline.presets()
    assert list(p.index) == list(headline.HEADLINE_SWEEPS)
    for preset, sweep in headline.HEADLINE_SWEEPS.items():
        df = pd.read_csv(ROOT / "experiments" / sweep / "results.csv")
        done = df[df["status"] == "done"]
        v = done["grid_fraction_037"].to_numpy(float)
        assert p.loc[preset, "seeds"] == len(done) == 10
        assert p.loc[preset, "median"] == pytest.approx(np.median(v))
        assert p.loc[preset, "step"] == done["step"].max()
        assert p.loc[preset, "at_paper"] == int((v >= 0.25).sum())


def test_table_shows_percents_and_the_paper():
    t = headline.table()
    assert (t[headline.ARTICLE] == f"{100 * paper.GRID_FRACTION:.1f} %").all()
    assert "paper" not in t.columns  # `paper` is a preset (a row), the article a column
    assert all("%" in cell and "nan" not in cell for cell in t.iloc[:-1, 1])
    assert list(t.iloc[:-1, 2]) == [f"{a} of 10" for a in headline.presets()["at_paper"]]
    assert t.index[-1] == "paper"  # the paper's own recipe, last


def test_claims_cover_the_papers_four_with_known_verdicts_and_real_chapters():
    claims = headline.claims()
    assert [c.claim for c in claims] == list(headline.CHAPTERS)
    for c in claims:
        assert c.verdict in {"reproduced", "partly", "not reproduced", "inconclusive"}
        assert (ROOT / c.chapter).is_file(), c.chapter
        assert "nan" not in c.ours
    assert "cluster" not in claims[1].ours
    for c in claims:  # no template leftovers in what a reader sees
        assert not any(bad in c.ours for bad in ("(s)", " 1 seeds", " 0 seeds")), c.ours
    assert "more than 2 scale clusters" in headline.claims(modules=2)[1].ours
    assert "built for two" in headline.claims(modules=2)[1].ours
    assert "a single scale cluster" in headline.claims(modules=1)[1].ours


def test_readme_headline_block_is_up_to_date():
    assert not headline.update_readme(ROOT / "README.md", check=True), (
        "README.md's headline is stale: python -m gridcore headline --readme README.md"
    )


def test_update_readme_rewrites_only_the_block(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{headline.BEGIN}\nold\n{headline.END}\nafter\n")
    assert headline.update_readme(readme, check=True)
    assert "old" in readme.read_text()  # --check writes nothing
    assert headline.update_readme(readme)
    text = readme.read_text()
    assert text.startswith("before\n") and text.endswith("after\n") and "old" not in text
    assert not headline.update_readme(readme)


def test_update_readme_without_a_block_says_so(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no block\n")
    with pytest.raises(GridcoreError, match="no headline block"):
        headline.update_readme(readme)


def test_cli_headline_check(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"{headline.BEGIN}\n{headline.END}\n")
    assert main(["headline", "--readme", str(readme), "--check"]) == 1
    assert main(["headline", "--readme", str(readme)]) == 0
    assert main(["headline", "--readme", str(readme), "--check"]) == 0
    assert main(["headline", "--check"]) == 2
    assert "needs --readme" in capsys.readouterr().err


def test_smallest_grids_are_the_smallest_scale_among_learnt_conditions():
    from gridcore import shipped
    from gridcore.sweeps import load

    smallest = headline.smallest_grids()
    limit = headline.learnt_error_limit_cm()
    assert 40 < limit < 45  # half of 84 cm, the error of guessing the centre of a 2.2 m box
    assert smallest.median("position_error_cm") <= limit
    assert smallest.median("grid_fraction_037") >= headline.SMALLEST_GRIDS_SHARE
    # No learnt condition with enough grid-like units of any shipped sweep is smaller.
    for c in headline.learnt_conditions():
        if c.median("grid_fraction_037") >= headline.SMALLEST_GRIDS_SHARE:
            assert c.median("median_scale_m") >= smallest.median("median_scale_m")
    # ... and the limit matters: some shipped condition with grid-like units is excluded by it.
    excluded = []
    for name in shipped.sweeps():
        t = load(shipped.sweep(name))
        if "position_error_cm" in t:
            done = t[t.status == "done"]
            med = done.groupby("condition")[["position_error_cm", "grid_fraction_037"]].median()
            excluded += list(
                med[(med.position_error_cm > limit) & (med.grid_fraction_037 > 0.2)].index
            )
    assert excluded


def test_the_centre_guess_error_matches_a_sampled_box():
    rng = np.random.default_rng(0)
    xy = rng.uniform(-1.1, 1.1, size=(200_000, 2))
    assert abs(100 * np.hypot(*xy.T).mean() - headline.centre_guess_error_cm(2.2)) < 0.3


def test_the_path_integration_claim_reads_the_time_base_sweep():
    pi = headline.path_integration_15s()
    claim = {c.claim: c for c in headline.claims()}["path integration over 15 s"]
    assert f"{pi.median('position_error_15s_cm'):.0f} cm" in claim.ours
    assert headline.path_integration_verdict(20, 90) == "reproduced"
    assert headline.path_integration_verdict(40, 90) == "partly"
    assert headline.path_integration_verdict(60, 90) == "not reproduced"


def test_the_path_integration_rule_in_words_follows_its_thresholds(monkeypatch):
    assert "twice the paper's" in headline.PATH_INTEGRATION_RULE
    assert "under half the untrained" in headline.PATH_INTEGRATION_RULE
    monkeypatch.setattr(headline, "PI_REPRODUCED_TIMES", 3.0)
    paper_cm = headline.paper.PATH_ERROR_15S_CM["trained"]
    assert headline.path_integration_verdict(2.5 * paper_cm, 1000) == "reproduced"


def test_the_grid_units_claim_gives_the_recipe_seeds_that_finished_while_others_train():
    clause = headline.recipe_so_far()
    history, seeds, final = headline.recipe_history()
    finished = int((history.groupby("trial").step.max() >= final).sum())
    if headline.recipe_finished() or not finished:
        assert clause == ""
    else:
        left = "the other still trains" if seeds - finished == 1 else "the others still train"
        assert f"in the {finished} of its {seeds} seeds" in clause and left in clause
        assert clause in headline.claims()[0].ours


def test_the_recipe_row_says_how_far_training_got():
    row = headline.recipe_row()
    assert "300,000" in row["steps"]
    assert "nan" not in row[headline.SHARE]
    if not headline.recipe_finished():  # no interim share while the seeds train
        assert row["steps"].startswith("in training: ")
        assert row[headline.SHARE] == row[headline.AT_LEVEL] == "–"


def test_the_navigation_claim_reads_the_find_then_return_agents():
    from gridcore.navigation import return_results

    claim = headline.navigation_claim()
    results = return_results.read_tables(shipped.agent_experiment(headline.RETURNS))
    result = return_results.primary(results["navigation"])
    assert claim.verdict == return_results.verdict(result)
    assert claim.verdict in ("reproduced", "not reproduced", "inconclusive")
    assert f"{result.detectable:.2f} goals per episode" in claim.ours
    assert "nan" not in claim.ours


def test_the_navigation_claim_says_when_no_agent_uses_its_goal_code():
    """The shipped agents all do better with g* zeroed; the claim must say so beside its p."""
    results = headline.return_results.read_tables(
        headline.shipped.agent_experiment(headline.RETURNS)
    )["navigation"]
    effects = [
        headline.return_results.goal_code_effect(results, v)
        for v in (headline.return_results.GRID, headline.return_results.PLACE)
    ]
    every = all(raised == n and n > 0 for raised, n in effects)
    assert ("goal code zeroed" in headline.navigation_claim().ours) == every


def test_the_landing_page_claim_defines_the_smallest_grids_by_the_learnt_limit():
    defined = headline.claims()[1].ours
    limit = f"at most {headline.learnt_error_limit_cm():.0f} cm"
    assert limit in headline.smallest_grids_rule() and limit in defined
    assert "learnt the task" in defined
    small = f"{headline.smallest_grids().median('median_scale_m'):.2f} m"
    assert small in defined
