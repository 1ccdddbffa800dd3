from gridcore import headline
from gridcore.sweeps import time_base


def test_each_rerun_has_a_row_per_time_base():
    t = time_base.time_base_table()
    assert len(t) == 2 * len(time_base.RERUNS)
    assert set(t.index.get_level_values("examples")) == {"2 s", "15 s"}


def test_the_paper_rat_rows_read_the_same_seeds_as_the_headline():
    t = time_base.time_base_table()
    row = t.loc[(time_base.RERUNS[0].question, "15 s")]
    pi = headline.path_integration_15s()
    assert row["seeds"] == len(pi.seeds)
    assert row["error after 15 s (cm)"] == f"{pi.median('position_error_15s_cm'):.0f}"


def test_a_rerun_not_run_yet_reads_as_a_dash():
    missing = time_base.Rerun("nothing", None, ("no-such-sweep", "x"))
    t = time_base.time_base_table((missing,))
    assert (t["seeds"] == 0).all() and (t["grid scale (m)"] == "–").all()


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
