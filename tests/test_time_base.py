from gridcore import headline
from gridcore.sweeps import time_base


def test_each_rerun_has_a_row_per_time_base():
    t = time_base.time_base_table()
    run = [r for r in time_base.RERUNS if not time_base._seeds(r.after).empty]
    assert len(t) >= 2 * len(run) and len(t) % 2 == 0
    assert set(t.index.get_level_values("examples")) == {"2 s", "15 s"}


def test_the_paper_rat_rows_read_the_same_seeds_as_the_headline():
    t = time_base.time_base_table()
    row = t.loc[(time_base.RERUNS[0].question, "15 s")]
    pi = headline.path_integration_15s()
    assert row["seeds"] == len(pi.seeds)
    assert row["error after 15 s (cm)"] == f"{pi.median('position_error_15s_cm'):.0f}"


def test_a_rerun_not_run_yet_reads_as_a_dash_or_is_left_out():
    missing = time_base.Rerun("nothing", None, ("no-such-sweep", "x"))
    assert time_base.time_base_table((missing,)).empty
    half = time_base.Rerun("half", None, time_base.RERUNS[0].after)
    t = time_base.time_base_table((half,))
    assert t.loc[("half", "2 s"), "seeds"] == 0 and t.loc[("half", "2 s"), "grid scale (m)"] == "–"


def test_the_answers_read_the_shipped_reruns():
    for answer in (
        time_base.levers_answer(),
        time_base.scale_answer(),
        time_base.error_answer(),
        time_base.dog_answer(),
    ):
        assert answer.endswith(".") and "nan" not in answer
    pi = headline.path_integration_15s()
    assert time_base.error_answer().startswith(f"{pi.median('position_error_15s_cm'):.0f} cm")
    assert time_base.levers_answer().split(":")[0] in ("Yes", "No")


def test_no_verdict_on_narrow_targets_from_fewer_than_three_seeds():
    text = time_base.dog_answer()
    after = {r.question: len(time_base._seeds(r.after)) for r in time_base.RERUNS}
    for question, n in after.items():
        if question.startswith("centre-surround") and 0 < n < time_base.MIN_SEEDS:
            width = question.removeprefix("centre-surround targets ")
            assert f"{width}: {n} seed" in text and "no verdict" in text
